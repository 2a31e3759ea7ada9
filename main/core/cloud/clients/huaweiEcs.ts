// Thin Huawei ECS client over the official SDK (@huaweicloud/huaweicloud-sdk-ecs,
// signed SDK-HMAC-SHA256 by the same SDK core the CES client uses): the
// server list, for the names and facts Cloud Eye does not return.
//
// ListServersDetails, GET /v1/{project_id}/cloudservers/detail (ECS API
// reference, support.huaweicloud.com/api-ecs/zh-cn_topic_0094148850.html):
// `limit` at most 1000 per page (default 25); `offset` is a page number and
// deprecated in favour of `marker`, the id of the previous page's last
// server; `count` is the total. IAM action ecs:cloudServers:list.
//
// The SDK's HTTP client is built here rather than by its ClientBuilder, so it
// gets a call timeout (the builder leaves axios at none) and a silent logger:
// the builder's logs every failed request with its headers, the key id among
// them, on the console.
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js';
import { DefaultHttpClient } from '@huaweicloud/huaweicloud-sdk-core/http/DefaultHttpClient.js';
import { EcsClient, ListServersDetailsRequest } from '@huaweicloud/huaweicloud-sdk-ecs';
import { CALL_TIMEOUT_MS, CloudApiError, networkCodeOf, protocolFor, runDirectly, type CallRunner } from './cloudErrors.js';
import { classifyHuaweiError, type HuaweiCredentials } from './huawei.js';
import { listedInstance, type ListedInstance } from './listedInstance.js';

/** "每页默认值是25，最多返回1000台云服务器的信息" — at most 1000 servers a page. */
export const HUAWEI_ECS_PAGE = 1000;

const SILENT = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => 'error', setName() {} };

interface ServerBody {
  id?: string;
  name?: string;
  status?: string;
  flavor?: { id?: string; name?: string };
  addresses?: Record<string, { addr?: string; version?: string | number; 'OS-EXT-IPS:type'?: string }[]>;
}

/** The first fixed IPv4 address of a server (its private address), whatever network it is on. */
export function huaweiPrivateIp(addresses: ServerBody['addresses']): string | undefined {
  for (const list of Object.values(addresses ?? {})) {
    for (const a of list ?? []) if (String(a.version) === '4' && (a['OS-EXT-IPS:type'] ?? 'fixed') === 'fixed' && a.addr) return a.addr;
  }
  return undefined;
}

export class HuaweiEcsClient {
  private readonly sdk: EcsClient;
  private readonly run: CallRunner;

  constructor(credentials: HuaweiCredentials, options: { run?: CallRunner } = {}) {
    this.run = options.run ?? runDirectly;
    const endpoint = credentials.endpoint ?? `ecs.${credentials.region}.myhuaweicloud.com`;
    const http = new DefaultHttpClient({ logger: SILENT, axiosRequestConfig: { timeout: CALL_TIMEOUT_MS } } as never, [`${protocolFor(endpoint)}://${endpoint}`]);
    const credential = new BasicCredentials().withAk(credentials.accessKeyId).withSk(credentials.accessKeySecret).withProjectId(credentials.projectId);
    this.sdk = new EcsClient(new HcClient(http).withCredential(credential).withEndpoints([`${protocolFor(endpoint)}://${endpoint}`]));
  }

  /** One page of the project's servers, after `marker` (the previous page's last id). */
  listServersDetails(q: { marker?: string; limit?: number } = {}): Promise<{ instances: ListedInstance[]; count: number; lastId?: string }> {
    const request = new ListServersDetailsRequest().withLimit(q.limit ?? HUAWEI_ECS_PAGE);
    if (q.marker) request.withMarker(q.marker);
    return this.run('ListServersDetails', async () => {
      let response: { count?: number; servers?: ServerBody[] };
      try {
        response = (await this.sdk.listServersDetails(request)) as typeof response;
      } catch (error) {
        throw mapHuaweiSdkError(error);
      }
      if (!Array.isArray(response.servers)) throw new CloudApiError('invalid_request', 'MalformedResponse', 'ListServersDetails answered without a servers array');
      const instances = response.servers.flatMap((s) => {
        const listed = listedInstance({ id: s.id, name: s.name, status: s.status, instanceType: s.flavor?.name ?? s.flavor?.id, privateIp: huaweiPrivateIp(s.addresses) });
        return listed ? [listed] : [];
      });
      const lastId = response.servers[response.servers.length - 1]?.id;
      return { instances, count: Number(response.count ?? instances.length), ...(lastId ? { lastId } : {}) };
    });
  }

  /** Every server of the project (one region), page after page until `count` is reached or a page comes back short. */
  async listAll(limit: number = HUAWEI_ECS_PAGE): Promise<ListedInstance[]> {
    const out: ListedInstance[] = [];
    let marker: string | undefined;
    for (let pages = 0; pages < 1000; pages++) {
      const page = await this.listServersDetails({ limit, ...(marker ? { marker } : {}) });
      out.push(...page.instances);
      if (!page.lastId || page.instances.length < limit || out.length >= page.count) break;
      marker = page.lastId;
    }
    return out;
  }
}

/** The SDK core's exceptions carry the HTTP status and the body's error code; transport failures carry neither. */
function mapHuaweiSdkError(error: unknown): CloudApiError {
  const e = error as { httpStatusCode?: number; errorCode?: string; errorMsg?: string; requestId?: string; message?: string };
  if (typeof e.httpStatusCode === 'number') {
    return classifyHuaweiError(e.httpStatusCode, { error_code: e.errorCode, error_msg: e.errorMsg ?? e.message ?? '', request_id: e.requestId });
  }
  return new CloudApiError('network', networkCodeOf(error) ?? 'network', e.errorMsg ?? e.message ?? String(error));
}

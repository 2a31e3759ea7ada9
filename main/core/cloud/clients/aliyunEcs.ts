// Thin Alibaba ECS client over the official SDK (@alicloud/ecs20140526, the
// same openapi-core and ACS3-HMAC-SHA256 signer as the CMS SDK): the instance
// list, for the names and facts CloudMonitor does not return.
//
// DescribeInstances (ECS API reference, help.aliyun.com/en/ecs/api-describeinstances
// and alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-describeinstances):
// pages by MaxResults (at most 100) + NextToken; "If you use a RAM user or RAM
// role that does not have the permissions to call this operation, an empty
// list is returned" — `DryRun` tells the two apart: DryRunOperation when the
// call would be allowed, the refusal (Forbidden.RAM) when not.
import Ecs, { DescribeInstancesRequest } from '@alicloud/ecs20140526';
import { AliyunClient, aliyunSdkConfig, callAliyunSdk, mapAliyunError } from './aliyun.js';
import { listedInstance, type ListedInstance } from './listedInstance.js';

/** "MaxResults … If you set this parameter to a value greater than 100, the default value is 100." */
export const ALIYUN_ECS_PAGE = 100;

// CJS with `exports.default`, as the CMS package (see aliyun.ts).
const ecsExport: unknown = Ecs;
const EcsClient: typeof Ecs.default = typeof ecsExport === 'function' ? (ecsExport as typeof Ecs.default) : Ecs.default;

export class AliyunEcsClient extends AliyunClient {
  // Without an endpoint override the ECS SDK picks the region's endpoint from its own map.
  private readonly sdk = new EcsClient(aliyunSdkConfig(this.credentials));

  /** One page of the region's instances, after `nextToken`. */
  describeInstances(q: { nextToken?: string; maxResults?: number } = {}): Promise<{ instances: ListedInstance[]; nextToken?: string }> {
    const request = new DescribeInstancesRequest({ regionId: this.credentials.region, maxResults: q.maxResults ?? ALIYUN_ECS_PAGE, ...(q.nextToken ? { nextToken: q.nextToken } : {}) });
    return this.run('DescribeInstances', async () => {
      const body = await callAliyunSdk(() => this.sdk.describeInstances(request));
      const instances = (body.instances?.instance ?? []).flatMap((i) => {
        const listed = listedInstance({
          id: i.instanceId,
          name: i.instanceName,
          instanceType: i.instanceType,
          status: i.status,
          // VPC instances carry their address under VpcAttributes, classic-network ones under InnerIpAddress.
          privateIp: i.vpcAttributes?.privateIpAddress?.ipAddress?.[0] ?? i.innerIpAddress?.ipAddress?.[0],
        });
        return listed ? [listed] : [];
      });
      const nextToken = body.nextToken || undefined;
      return { instances, ...(nextToken && instances.length > 0 ? { nextToken } : {}) };
    });
  }

  /** Every instance of the region, page after page. */
  async listAll(): Promise<ListedInstance[]> {
    const out: ListedInstance[] = [];
    let nextToken: string | undefined;
    for (let pages = 0; pages < 1000; pages++) {
      const page = await this.describeInstances(nextToken ? { nextToken } : {});
      out.push(...page.instances);
      nextToken = page.nextToken;
      if (!nextToken) break;
    }
    return out;
  }

  /**
   * Whether the key may list instances: a dry run answers DryRunOperation
   * when it may, and the refusal (permission_denied: Forbidden.RAM) when not.
   */
  async mayDescribeInstances(): Promise<boolean> {
    const request = new DescribeInstancesRequest({ regionId: this.credentials.region, dryRun: true, maxResults: 10 });
    return this.run('DescribeInstances', async () => {
      try {
        await this.sdk.describeInstances(request);
      } catch (error) {
        const e = mapAliyunError(error);
        if (e.code === 'DryRunOperation') return true;
        throw e;
      }
      // A service that ignores DryRun and answers normally allowed the call too.
      return true;
    });
  }
}

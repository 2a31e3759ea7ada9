// "Test" on an account form: one discovery of one product per region, with
// the keys as typed, through the same SDK clients and budgets the collector
// uses. Success says how many instances each region has; a failure is the
// cloud's own answer, classified ("credentials rejected: SignatureDoesNotMatch …").
import { CloudApiError, protocolFor, safeMessage, type CloudErrorKind } from '../clients/cloudErrors.js';
import type { CloudApiStats } from '../apiStats.js';
import { PROVIDER_ADAPTERS } from '../providers/adapters.js';
import { CallGate } from './callGate.js';
import type { CloudAccountConfig, CloudProductMapping, CloudTestResult } from './types.js';

const KIND_TEXT: Record<CloudErrorKind, string> = {
  credentials_rejected: 'credentials rejected',
  permission_denied: 'no permission for this API',
  throttled: 'throttled by the cloud',
  invalid_request: 'the cloud refused the request',
  network: 'the cloud could not be reached',
};

/** The cloud's error as one line for people: what kind, the cloud's code, its words. */
export function describeCloudError(error: CloudApiError, secret?: string): string {
  return `${KIND_TEXT[error.kind]}: ${error.code}${error.message ? ` — ${safeMessage(error.message, secret)}` : ''}`;
}

export async function checkCloudAccount(account: CloudAccountConfig, mappings: readonly CloudProductMapping[], stats: CloudApiStats): Promise<CloudTestResult> {
  const products = mappings.filter((p) => p.provider === account.provider && (!account.products || account.products.includes(p.product)));
  const product = products.find((p) => p.product === 'ecs') ?? products[0];
  if (!product) return { ok: false, kind: 'config', message: `no mapping covers ${account.provider}; add one in the cloud-mappings folder` };
  // Counted with the account's other calls: a test spends the same quota.
  const gate = new CallGate({ provider: account.provider, account: account.name, stats, retry: { throttledAttempts: 2, networkAttempts: 1 } });
  const adapter = PROVIDER_ADAPTERS[account.provider](account, (api, fn) => gate.call(api, fn));
  const instances: { region: string; product: string; count: number }[] = [];
  let namesDenied: CloudTestResult['namesDenied'];
  try {
    let namesChecked = false;
    for (const region of account.regions) {
      const found = await adapter.discover(region, product);
      instances.push({ region, product: product.product, count: found.instances.length });
      // Where the monitoring API gives ids only, the names come from another API the key may
      // not be allowed to call (a RAM user with CloudMonitor rights only is common): asked once.
      const listing = namesChecked || found.instances.length === 0 ? undefined : adapter.instanceListing?.(product);
      if (!listing) continue;
      namesChecked = true;
      try {
        await listing.list(region, found.instances.map((i) => i.instanceId));
      } catch (listErr) {
        if (!(listErr instanceof CloudApiError) || listErr.kind !== 'permission_denied') throw listErr;
        namesDenied = { region, product: product.product, api: listing.api, code: listErr.code, permission: listing.permission };
      }
    }
  } catch (err) {
    if (err instanceof CloudApiError && (err.kind === 'invalid_request' || err.kind === 'network') && account.endpoint) {
      const seen = await whatAnswersAt(account.endpoint);
      if (seen) return { ok: false, kind: err.kind, code: 'NotTheCloud', message: `${account.endpoint} does not look like the ${account.provider} API: ${seen}`, instances };
    }
    if (err instanceof CloudApiError) return { ok: false, kind: err.kind, code: err.code, message: describeCloudError(err, account.accessKeySecret), instances };
    return { ok: false, kind: 'config', message: safeMessage((err as Error).message, account.accessKeySecret), instances };
  } finally {
    gate.close();
  }
  const total = instances.reduce((n, i) => n + i.count, 0);
  const message = `the keys work: ${total} ${product.product} instance${total === 1 ? '' : 's'} in ${account.regions.length} region${account.regions.length === 1 ? '' : 's'}`;
  return { ok: true, message: namesDenied ? `${message}; no permission to list them by name (${namesDenied.api}: ${namesDenied.code})` : message, instances, ...(namesDenied ? { namesDenied } : {}) };
}

/**
 * What an endpoint override answers to a plain GET / (no key, no signature),
 * when it is not a JSON API: "it answers HTTP 200 (text/html…): <html>…".
 * An SDK that meets an HTML page reports a JSON parse error with no status;
 * this says what is actually there. Undefined when it answers JSON (then the
 * SDK's own error is the better description) or cannot be reached.
 */
async function whatAnswersAt(endpoint: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${protocolFor(endpoint)}://${endpoint}/`, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
    const type = res.headers.get('content-type') ?? 'no content type';
    const body = (await res.text()).slice(0, 200);
    if (/json/i.test(type)) return undefined;
    // Printable ASCII only, cut short: the page is shown in the UI and the log.
    const start = body.replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 60);
    return `it answers HTTP ${res.status} (${type})${start ? ` "${start}${body.length > 60 ? '…' : ''}"` : ''}`;
  } catch {
    return undefined;
  }
}

// Fuzz of the RPC inputs: every request of the contract, sent through the real
// RPC layer to a real core with its features, with inputs that are anything at
// all, or a valid input with parts replaced by anything. Each must be answered
// (ok, or invalid_input / not_found / provisioned / unavailable) and never
// with `internal`, an error the console did not foresee. Bounded in runs and
// time; fast-check prints the seed and the shrunk input on failure.
//
// Left out: the requests that reach the network at an address the input names
// (adding, updating or testing an SSH host or a cloud account, importing
// hosts, the exporter's listen address, testing a notification channel,
// which posts to the URL it is given): a fuzzer must not send traffic to
// random addresses. Their inputs are checked by the contract's schemas like
// every other, and their handlers have tests of their own.
import fs from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requests, RpcError, type RequestName } from '../common/contract.js';
import { createPortPair, createRpcClient, serveRpc, type RpcClient } from '../common/rpc.js';
import { makeTempDir, removeTempDir } from '../testing/sshServers.js';
import { startTestCore } from '../testing/testCore.js';
import { createAlertsFeature } from './alerts/feature.js';
import { createCloudsFeature } from './cloud/feature.js';
import { containersFeature } from './containers/feature.js';
import { createExportFeature } from './export/feature.js';
import { fleetFeature } from './fleet/feature.js';
import { processHistoryFeature } from './processes/feature.js';
import { createSshFeature } from './ssh/feature.js';
import { topKFeature } from './topk/feature.js';
import { createRemoteWriteFeature } from './remoteWrite/feature.js';
import { createScrapeTargetsFeature } from './scrapeTargets/feature.js';
import { createPushReceiverFeature } from './pushReceiver/feature.js';
import { createChecksFeature } from './checks/feature.js';
import { createAnomaliesFeature } from './anomalies/feature.js';
import type { HostSource } from './model/hostSource.js';
import { parseAgentFrame } from './parse/agentFrame.js';

const REACH_THE_NETWORK = new Set<string>(['export/update', 'hosts/add', 'hosts/update', 'hosts/test', 'hosts/import', 'clouds/add', 'clouds/update', 'clouds/test', 'alerts/channel-test', 'targets/add', 'targets/update', 'targets/set-enabled', 'targets/test', 'receiver/update', 'remote-write/add', 'remote-write/update', 'history/update', 'checks/add', 'checks/update', 'checks/set-enabled', 'checks/run']);

const NOW = Date.now();
/** One valid input per request, the starting point for mutations. */
const VALID: Partial<Record<RequestName, unknown>> = {
  'hosts/inventory': { hostId: 'local' },
  'series/query': { selectors: [{ name: 'node_load1', matchers: [{ label: 'host', op: '=~', value: 'lo.*' }] }], from: NOW - 3_600_000, to: NOW, maxPoints: 100 },
  'settings/update': { retention: { rawHours: 48, minuteDays: 30, hourDays: 365 } },
  'topk/query': { kind: 'host', metric: 'host:cpu_usage:ratio', aggregate: 'avg', from: NOW - 3_600_000, to: NOW, k: 5, order: 'desc', points: 30 },
  'processes/at': { hostId: 'local', t: NOW },
  'hosts/statusHistory': { hostId: 'local', from: NOW - 3_600_000, to: NOW },
  'containers/list': { hostId: 'local' },
  'alerts/history': { limit: 10 },
  'alerts/rule-create': { type: 'threshold', name: 'r', selector: 'node_load1{host=~"a|b"}', window: 60_000, op: '>', threshold: 1 },
  'alerts/rule-update': { id: 'x', rule: { type: 'threshold', name: 'r', selector: 'node_load1', window: 60_000, op: '>', threshold: 1 } },
  'alerts/rule-delete': { id: 'x' },
  'alerts/rule-enable': { id: 'x', enabled: false },
  'alerts/preview': { type: 'threshold', name: 'r', selector: 'node_load1{host=~"(.|.)*Z"}', window: 60_000, op: '>', threshold: 1 },
  'alerts/silence': { alertId: 'x', scope: 'rule', durationMs: 60_000 },
  'alerts/unsilence': { id: 'x' },
  'alerts/deliveries': { limit: 10 },
  'series/labels': { name: 'node_load1' },
  'alerts/channel-add': { name: 'fuzz', type: 'dingtalk', url: 'http://127.0.0.1:9/robot/send?access_token=x', secret: 'SECx' },
  'alerts/channel-update': { name: 'fuzz', draft: { name: 'fuzz', type: 'webhook', url: 'http://127.0.0.1:9/hook' } },
  'alerts/channel-remove': { name: 'fuzz' },
  'hosts/remove': { hostId: 'nope' },
  'hosts/set-enabled': { hostId: 'nope', enabled: true },
  'hosts/definition': { hostId: 'nope' },
  'hosts/accept-key': { hostId: 'nope', fingerprint: 'SHA256:' + 'A'.repeat(43) },
  'clouds/remove': { account: 'nope' },
  'clouds/set-enabled': { account: 'nope', enabled: true },
  'clouds/instances': {},
};

const ANSWERS_ALLOWED = new Set(['invalid_input', 'not_found', 'provisioned', 'unavailable']);
const fuzzed = (Object.keys(requests) as RequestName[]).filter((name) => !REACH_THE_NETWORK.has(name));

/** `value` with one of its parts (or itself) replaced by `replacement`, the part picked by `pick`. */
function replacePart(value: unknown, pick: number, replacement: unknown): unknown {
  const parts: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((x, i) => (parts.push({ parent: v, key: i }), walk(x)));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) parts.push({ parent: v as Record<string, unknown>, key: k }), walk(x);
  };
  const copy = structuredClone(value);
  walk(copy);
  if (parts.length === 0 || pick % (parts.length + 1) === parts.length) return replacement;
  const { parent, key } = parts[pick % (parts.length + 1)]!;
  (parent as Record<string | number, unknown>)[key] = replacement;
  return copy;
}

/** The local host reports one real frame, so queries, Top-K and rules have series to match. */
const oneRealSample: HostSource = {
  start(events) {
    const parsed = parseAgentFrame(fs.readFileSync(new URL('./parse/fixtures/debian12-vm-dash-once.txt', import.meta.url), 'utf8'), Date.now());
    if (parsed.kind !== 'observation') throw new Error('the fixture did not parse');
    events.status('online');
    events.observation(parsed.observation);
  },
  async stop() {},
};

const cleanups: (() => Promise<void> | void)[] = [];
let client: RpcClient;
let internalErrors: string[];

beforeAll(async () => {
  const home = makeTempDir('rpc-fuzz-home');
  cleanups.push(() => removeTempDir(home));
  const c = await startTestCore(
    {
      prefix: 'ovl-rpcfuzz-',
      features: [
        createAlertsFeature({ evaluateEveryMs: 60_000 }),
        createExportFeature({ processMetrics: false }),
        topKFeature,
        processHistoryFeature,
        fleetFeature,
        createSshFeature({ home, env: {} }),
        containersFeature,
        createCloudsFeature({ env: {}, mappingsPollMs: 60_000 }),
        createScrapeTargetsFeature(),
        createPushReceiverFeature(),
        createRemoteWriteFeature(),
        createChecksFeature(),
        createAnomaliesFeature(),
      ],
      answers: () => true,
      localSource: oneRealSample,
    },
    cleanups,
  );
  const [server, clientPort] = createPortPair();
  internalErrors = [];
  const stop = serveRpc(c.core.handlers, server, { onInternalError: (method, err) => internalErrors.push(`${method}: ${(err as Error).stack ?? String(err)}`) });
  client = createRpcClient(clientPort, { timeoutMs: 20_000 });
  cleanups.push(() => (client.close(), stop()));
  // The sample is in the store once the batcher has flushed it (within a second or two).
  const deadline = Date.now() + 10_000;
  while ((await client.call('series/query', { selectors: [{ name: 'node_load1' }], from: 0, to: Date.now() + 60_000, maxPoints: 10 })).length === 0) {
    if (Date.now() > deadline) throw new Error('the local sample never reached the store');
    await new Promise((r) => setTimeout(r, 200));
  }
}, 120_000);

afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function answer(method: RequestName, input: unknown): Promise<string> {
  try {
    await (client.call as (m: string, i: unknown) => Promise<unknown>)(method, input);
    return 'ok';
  } catch (err) {
    return err instanceof RpcError ? err.code : `threw ${String(err)}`;
  }
}

describe('RPC inputs (fast-check; the seed is printed on failure)', () => {
  it('answers anything sent to any request without an internal error', async () => {
    const anything = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.string({ maxLength: 40 }),
      { arbitrary: fc.constantFrom(-1, 0, 0.5, 1e308, -1e308, 2 ** 53, '', '(', '(?=x)', '(a)\\1', '[', '\u0000', '../../etc/passwd', 'SHA256:', 'local', [], {}), weight: 3 },
    );
    const input = fc.oneof(
      fc.record({ method: fc.constantFrom(...fuzzed), input: anything }),
      { weight: 4, arbitrary: fc.record({ method: fc.constantFrom(...(Object.keys(VALID) as RequestName[])), pick: fc.nat(), replacement: anything }).map(({ method, pick, replacement }) => ({
        method,
        input: replacePart(VALID[method], pick, replacement),
      })) },
    );
    await fc.assert(
      fc.asyncProperty(input, async ({ method, input: value }) => {
        const code = await answer(method, value);
        expect(code === 'ok' || ANSWERS_ALLOWED.has(code), `${method} ${JSON.stringify(value)?.slice(0, 300)} → ${code}\n${internalErrors.at(-1) ?? ''}`).toBe(true);
      }),
      { numRuns: 5000, interruptAfterTimeLimit: 90_000 },
    );
    expect(internalErrors).toEqual([]);
  }, 150_000);
});

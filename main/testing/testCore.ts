// For feature tests: a real core (real store, secret store and provisioning
// watcher) in a temp dir, with the features under test and a stub answering
// every other request of the contract (the core refuses to start while one
// has no answer). Stopped and removed by the test's cleanup list.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requests, type EventName, type Handlers, type RequestInput } from '../common/contract.js';
import { createCore } from '../core/createCore.js';
import type { CoreContext, CoreFeature } from '../core/coreContext.js';
import { createMemoryLogger } from '../core/log.js';
import { createEncryptedFileSecretStore } from '../core/secrets/encryptedFileSecretStore.js';
import type { HostSource } from '../core/model/hostSource.js';

/** What the core answers itself, without any feature. */
export const BASE_REQUESTS: ReadonlySet<string> = new Set(['app/info', 'hosts/list', 'hosts/summaries', 'hosts/inventory', 'series/query', 'series/names', 'series/labels', 'settings/update', 'history/get', 'history/update']);

/** A feature answering every request that `answered` leaves out, by failing: the test does not exercise them. */
export function otherRequestsStub(answered: (request: string) => boolean): () => CoreFeature {
  return () => ({
    name: 'others (not under test)',
    handlers: Object.fromEntries(
      Object.keys(requests)
        .filter((name) => !BASE_REQUESTS.has(name) && !answered(name))
        .map((name) => [name, () => { throw new Error(`${name} is not under test`); }]),
    ) as Partial<Handlers>,
  });
}

const idleLocal: HostSource = { start() {}, async stop() {} };

export interface TestCoreOptions {
  /** Temp dir prefix, unique to the area (`ovl-sshfeat-`). */
  readonly prefix: string;
  readonly features: readonly ((ctx: CoreContext) => CoreFeature)[];
  /** The requests the features under test answer. */
  readonly answers: (request: string) => boolean;
  /** Provisioning file text, written as <dataDir>/overlook.yaml. */
  readonly config?: string;
  /** Runs on the empty data dir before the core starts. */
  readonly prepare?: (dataDir: string) => void;
  /** The local host's source (default: one that never reports). */
  readonly localSource?: HostSource;
}

export async function startTestCore(options: TestCoreOptions, cleanups: (() => Promise<void> | void)[]) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), options.prefix));
  options.prepare?.(dataDir);
  const log = createMemoryLogger();
  let configFile: string | undefined;
  if (options.config !== undefined) {
    configFile = path.join(dataDir, 'overlook.yaml');
    fs.writeFileSync(configFile, options.config);
  }
  const core = createCore({
    dataDir,
    shell: 'headless',
    secrets: createEncryptedFileSecretStore(dataDir),
    log,
    version: 'test',
    configFile,
    createLocalSource: () => options.localSource ?? idleLocal,
    features: [...options.features, otherRequestsStub(options.answers)],
  });
  const events: { event: EventName; payload: unknown }[] = [];
  core.subscribe((event, payload) => events.push({ event, payload }));
  await core.start();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await core.stop();
  };
  cleanups.push(async () => {
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  /** A request with its input passed through the contract's schema, as the dispatcher does. */
  const call = async <K extends keyof Handlers>(name: K, input?: RequestInput<K>) =>
    (await (core.handlers[name] as (i: unknown) => unknown)(requests[name].input.parse(input))) as ReturnType<Handlers[K]> extends Promise<infer R> ? R : ReturnType<Handlers[K]>;
  return { core, dataDir, log, events, call, stop };
}

// Which history the console reads: its own store (the default), or an
// engine's PromQL API, chosen in the provisioning file (`history:`, which
// then decides and the Settings screen shows it read-only) or on the
// Settings screen (<dataDir>/history.json, the secret in the secret store).
// The composition root hands every reader of history (series/query, Top-K,
// the fleet's hosts) the one reader this returns; it switches under them.
//
//   history:
//     backend: promql                 # or local (the default)
//     url: http://vm.example:8428     # the PromQL API's base: /api/v1/query_range is appended
//     bearer_token_env: VM_TOKEN      # or bearer_token_file, or basic_auth: { username, password_env }
//     tls: { ca_file: vm-ca.pem }
//     timeout: 10s
import path from 'node:path';
import { z } from 'zod';
import { EngineAuthKind, HistoryBackend, type HistoryDraft, type HistoryState } from '../../common/remoteWrite.js';
import { wholeSection } from '../config/provisioning.js';
import { provisionedFieldsError } from '../config/provisionedError.js';
import { readJsonDataFile, writeJsonDataFile } from '../dataFile.js';
import { createEngineClient, type EngineClient } from '../engine/engineHttp.js';
import { engineConnectionFields, engineConnectionFromFile, engineConnectionRules, resolveEngineEndpoint, type EngineConnection } from '../engine/engineConnection.js';
import { localHostOnEngine } from '../engine/engineHost.js';
import type { Logger } from '../log.js';
import type { SecretStore } from '../secrets/secretStore.js';
import type { MetricStore } from '../store/types.js';
import { historyUnavailable, localHistory, type HistoryReader } from './historyReader.js';
import { createPromqlHistory } from './promqlHistory.js';

const DEFAULT_TIMEOUT_MS = 10_000;
/** The secret store key of a token or password entered on the Settings screen. */
export const HISTORY_SECRET_KEY = 'history:engine-secret';

export type HistoryConfig = { readonly backend: 'local' } | { readonly backend: 'promql'; readonly connection: EngineConnection };

// ---------------------------------------------------------------- the file's section

const HistoryInFile = z
  .strictObject({
    backend: HistoryBackend,
    ...engineConnectionFields({ minMs: 1000, maxMs: 120_000 }),
  })
  .partial({ url: true })
  .superRefine((entry, ctx) => {
    engineConnectionRules(entry, ctx);
    if (entry.backend === 'promql' && entry.url === undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: 'the promql backend needs the engine\'s url' });
  });

export type ProvisionedHistory = { readonly inFile: z.infer<typeof HistoryInFile> };

/** The `history:` section; null when the file has none (the Settings screen decides). */
export const historySection = wholeSection<ProvisionedHistory | null>('history', HistoryInFile.transform((inFile) => ({ inFile })), () => null);

function configFromFile(p: ProvisionedHistory, baseDir: string): HistoryConfig {
  if (p.inFile.backend === 'local' || p.inFile.url === undefined) return { backend: 'local' };
  return { backend: 'promql', connection: engineConnectionFromFile({ ...p.inFile, url: p.inFile.url }, {}, baseDir, DEFAULT_TIMEOUT_MS) };
}

// ---------------------------------------------------------------- the Settings screen's file

const SavedHistory = z.object({
  backend: HistoryBackend,
  url: z.string().optional(),
  auth: EngineAuthKind,
  username: z.string().optional(),
  caPem: z.string().optional(),
});
type SavedHistory = z.infer<typeof SavedHistory>;

function configFromSaved(saved: SavedHistory): HistoryConfig {
  if (saved.backend === 'local' || !saved.url) return { backend: 'local' };
  const secret = { from: 'store', key: HISTORY_SECRET_KEY } as const;
  return {
    backend: 'promql',
    connection: {
      url: saved.url,
      headers: {},
      auth: saved.auth === 'bearer' ? { kind: 'bearer', token: secret } : saved.auth === 'basic' ? { kind: 'basic', username: saved.username ?? '', password: secret } : { kind: 'none' },
      ...(saved.caPem ? { ca: { pem: saved.caPem } } : {}),
      timeoutMs: DEFAULT_TIMEOUT_MS,
    },
  };
}

// ---------------------------------------------------------------- the backend

export interface HistoryBackendOptions {
  readonly dataDir: string;
  readonly store: MetricStore;
  readonly secrets: SecretStore;
  readonly log: Logger;
  readonly now: () => number;
  /** The state changed (backend, or its health): the UI's `history/changed`. */
  readonly onChange: (state: HistoryState) => void;
}

export interface HistoryBackendControl {
  /** The reader every part of the console reads history through. */
  readonly reader: HistoryReader;
  state(): HistoryState;
  update(draft: HistoryDraft): Promise<HistoryState>;
  /** The file's section (null: none), and where its relative paths start. */
  setProvisioned(section: ProvisionedHistory | null, baseDir: string): Promise<void>;
  /** Reads the saved choice and builds the reader; call once at start. */
  start(): Promise<void>;
  close(): void;
}

export function createHistoryBackend(options: HistoryBackendOptions): HistoryBackendControl {
  const file = path.join(options.dataDir, 'history.json');
  const local = localHistory(options.store);
  let saved: SavedHistory = { backend: 'local', auth: 'none' };
  let provisioned: { config: HistoryConfig } | undefined;
  let current: { reader: HistoryReader; client?: EngineClient } = { reader: local };
  let secretSet = false;
  let problem: string | undefined;
  let lastError: { message: string; at: number } | undefined;
  let lastQueryAt: number | undefined;
  // Rebuilds run one after another, so two quick updates cannot leave an old client behind.
  let queue: Promise<void> = Promise.resolve();

  const effective = (): HistoryConfig => provisioned?.config ?? configFromSaved(saved);

  function state(): HistoryState {
    const config = effective();
    const connection = config.backend === 'promql' ? config.connection : undefined;
    const error = problem ?? lastError?.message;
    return {
      backend: config.backend,
      url: connection?.url ?? null,
      auth: connection?.auth.kind ?? 'none',
      username: connection?.auth.kind === 'basic' ? connection.auth.username : null,
      secretSet: connection?.auth.kind === 'bearer' || connection?.auth.kind === 'basic' ? (provisioned ? true : secretSet) : false,
      caSet: connection?.ca !== undefined,
      provisioned: provisioned !== undefined,
      lastError: config.backend === 'promql' && error ? error : null,
      lastErrorAt: config.backend === 'promql' && error ? (lastError?.at ?? options.now()) : null,
      lastQueryAt: lastQueryAt ?? null,
    };
  }

  const emit = () => options.onChange(state());

  function onOutcome(error: string | undefined) {
    const before = lastError?.message;
    lastQueryAt = options.now();
    lastError = error ? { message: error, at: lastQueryAt } : undefined;
    if (before !== error) emit();
  }

  async function rebuildNow(): Promise<void> {
    const config = effective();
    current.client?.close();
    problem = undefined;
    lastError = undefined;
    if (config.backend === 'local') {
      current = { reader: local };
      return;
    }
    const resolved = await resolveEngineEndpoint(config.connection, options.secrets);
    if (!resolved.ok) {
      problem = `history engine: ${resolved.problem}`;
      options.log.error(problem);
      const message = problem;
      // Charts say why rather than quietly showing the local store: the user asked for the engine.
      current = { reader: { series: () => Promise.reject(historyUnavailable(message)), query: () => Promise.reject(historyUnavailable(message)) } };
      return;
    }
    const client = createEngineClient(resolved.endpoint);
    current = { reader: createPromqlHistory({ client, localHostOnEngine: localHostOnEngine(), now: options.now, onOutcome }), client };
    options.log.info(`history is read from ${client.where}`);
  }

  function rebuild(): Promise<void> {
    queue = queue.then(rebuildNow).catch((err: unknown) => options.log.error('could not switch the history backend', { error: (err as Error).message }));
    return queue.then(emit);
  }

  return {
    reader: {
      series: (selector) => current.reader.series(selector),
      query: (request) => current.reader.query(request),
    },
    state,
    async update(draft) {
      if (provisioned) throw provisionedFieldsError(['history']);
      if (draft.secret !== undefined) {
        await options.secrets.set(HISTORY_SECRET_KEY, draft.secret);
        secretSet = true;
      } else if (draft.auth === 'none' && secretSet) {
        await options.secrets.delete(HISTORY_SECRET_KEY);
        secretSet = false;
      }
      saved = {
        backend: draft.backend,
        ...(draft.url !== undefined ? { url: draft.url } : saved.url !== undefined ? { url: saved.url } : {}),
        auth: draft.auth,
        ...(draft.auth === 'basic' && draft.username ? { username: draft.username } : {}),
        ...(draft.caPem !== undefined ? (draft.caPem === '' ? {} : { caPem: draft.caPem }) : saved.caPem ? { caPem: saved.caPem } : {}),
      };
      writeJsonDataFile(file, { version: 1, ...saved });
      await rebuild();
      return state();
    },
    async setProvisioned(section, baseDir) {
      const next = section ? { config: configFromFile(section, baseDir) } : undefined;
      if (JSON.stringify(next) === JSON.stringify(provisioned)) return;
      provisioned = next;
      await rebuild();
    },
    async start() {
      const read = readJsonDataFile(file, (value) => SavedHistory.parse(value));
      if (read.state === 'ok') saved = read.value;
      else if (read.state !== 'missing') options.log.warn(`${read.problem}; history is read from the local store`);
      try {
        secretSet = (await options.secrets.get(HISTORY_SECRET_KEY)) !== undefined;
      } catch (err) {
        options.log.error('could not read the history engine\'s secret from the secret store', { error: (err as Error).message });
      }
      await rebuild();
    },
    close() {
      current.client?.close();
    },
  };
}

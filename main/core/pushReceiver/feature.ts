// The remote-write receiver as a feature of the core: answers
// `receiver/get` and `receiver/update`, keeps one listener in step with its
// settings, and turns what hosts push into hosts (pushedHosts.ts). Off by
// default. Where its settings come from, field by field, highest first:
// `overlook serve --remote-write-listen` (enables, sets the address), the
// provisioning file's `remote_write_receiver:` (everything, tokens by
// reference), the Settings screen (<dataDir>/receiver.json, the token in the
// secret store). It never listens without a token: enabled without one, it
// stays off and says why. Its counters are on /metrics as
// overlook_remote_write_*.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { RpcError } from '../../common/contract.js';
import { DEFAULT_REMOTE_WRITE_LISTEN, formatListenAddress, isAllInterfaces, parseListenAddress, type ListenAddress } from '../../common/listenAddress.js';
import type { ReceiverLock, ReceiverState, ReceiverUpdate } from '../../common/promHosts.js';
import { provisionedFieldsError } from '../config/provisionedError.js';
import { sectionOf } from '../config/provisioning.js';
import { resolveSecretRef } from '../config/secretRef.js';
import type { CoreContext, CoreFeature } from '../coreContext.js';
import { readJsonDataFile, writeJsonDataFile } from '../dataFile.js';
import type { ExposedFamily } from '../exposition.js';
import { DEFAULT_RECEIVER_LIMITS, newReceiverCounters, startRemoteWriteReceiver, type ReceiverToken, type RemoteWriteReceiver } from '../sources/push/remoteWriteReceiver.js';
import { DEFAULT_OFFLINE_AFTER_MS, DEFAULT_PUSH_INTERVAL_MS, PushedHosts, type PushedHostsOptions } from './pushedHosts.js';
import { receiverSection, type ProvisionedReceiver } from './receiverSection.js';

export interface PushReceiverFeatureOptions {
  /** `overlook serve --remote-write-listen host:port`: enables the receiver at that address. */
  readonly listen?: string;
  /** The provisioning file's `*_env` secrets are read here (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Frame assembly's settle time (tests shorten it). */
  readonly settleMs?: number;
}

/** The secret store key of a token entered on the Settings screen. */
export const RECEIVER_TOKEN_SECRET = 'receiver:token';
const DEFAULT_MAX_SERIES_PER_HOST = 20_000;
const DEFAULT_MAX_HOSTS = 2_000;
const LOCK_TEXT = { flag: 'the --remote-write-listen option', file: 'the provisioning file' } as const;

const SavedReceiverFile = z.object({ enabled: z.boolean().optional(), listen: z.string().optional() });
type SavedReceiver = z.infer<typeof SavedReceiverFile>;

function loadSaved(dataDir: string): { saved: SavedReceiver; problem?: string } {
  const read = readJsonDataFile(path.join(dataDir, 'receiver.json'), (value) => {
    const parsed = SavedReceiverFile.parse(value);
    if (parsed.listen !== undefined && !parseListenAddress(parsed.listen).ok) throw new Error(`listen: "${parsed.listen}" is not host:port`);
    return parsed;
  });
  if (read.state === 'ok') return { saved: read.value };
  if (read.state === 'missing') return { saved: {} };
  return { saved: {}, problem: `${read.problem}; the remote-write receiver stays off` };
}

interface Effective {
  readonly enabled: boolean;
  readonly listen: ListenAddress;
  readonly tokens: { from: 'file'; refs: ProvisionedReceiver['tokens'] } | { from: 'ui' } | null;
  readonly lockedBy: { enabled: ReceiverLock | null; listen: ReceiverLock | null; token: ReceiverLock | null };
}

export function createPushReceiverFeature(options: PushReceiverFeatureOptions = {}): (ctx: CoreContext) => CoreFeature {
  let flag: ListenAddress | undefined;
  if (options.listen !== undefined) {
    const parsed = parseListenAddress(options.listen);
    if (!parsed.ok) throw new Error(`--remote-write-listen "${options.listen}": not a valid host:port`);
    flag = parsed.address;
  }
  return (ctx) => {
    const env = options.env ?? process.env;
    const loaded = loadSaved(ctx.dataDir);
    if (loaded.problem) ctx.log.warn(loaded.problem);
    let saved = loaded.saved;
    let uiTokenSet = false;
    let file: ProvisionedReceiver | null = null;
    let fileBaseDir: string | undefined;
    const counters = newReceiverCounters();
    let running: { receiver: RemoteWriteReceiver; key: string } | undefined;
    let lastError: string | null = null;
    let started = false;
    let stopped = false;
    let queue: Promise<void> = Promise.resolve();
    let tick: NodeJS.Timeout | undefined;
    let changedPending = false;

    const hostOptions = (): PushedHostsOptions => ({
      hostLabel: file?.hostLabel ?? 'instance',
      allowedHosts: file?.allowedHosts ?? [],
      intervalMs: file?.intervalMs ?? DEFAULT_PUSH_INTERVAL_MS,
      offlineAfterMs: file?.offlineAfterMs ?? DEFAULT_OFFLINE_AFTER_MS,
      maxSeriesPerHost: file?.maxSeriesPerHost ?? DEFAULT_MAX_SERIES_PER_HOST,
      maxHosts: file?.maxHosts ?? DEFAULT_MAX_HOSTS,
      ...(options.settleMs !== undefined ? { settleMs: options.settleMs } : {}),
    });
    const hosts = new PushedHosts(ctx, hostOptions());

    const effective = (): Effective => {
      const savedListen = saved.listen !== undefined ? parseListenAddress(saved.listen) : undefined;
      const fileSetsTokens = Boolean(file && file.tokens.length > 0);
      return {
        enabled: flag ? true : file ? file.enabled : (saved.enabled ?? false),
        listen: flag ?? file?.listen ?? (savedListen?.ok ? savedListen.address : DEFAULT_REMOTE_WRITE_LISTEN),
        tokens: fileSetsTokens ? { from: 'file', refs: file!.tokens } : uiTokenSet ? { from: 'ui' } : null,
        lockedBy: { enabled: flag ? 'flag' : file ? 'file' : null, listen: flag ? 'flag' : file?.listen ? 'file' : null, token: fileSetsTokens ? 'file' : null },
      };
    };

    const state = (): ReceiverState => {
      const e = effective();
      return {
        enabled: e.enabled,
        listen: formatListenAddress(e.listen),
        url: running?.receiver.url ?? null,
        allInterfaces: isAllInterfaces(e.listen.host),
        tokens: e.tokens === null ? 0 : e.tokens.from === 'ui' ? 1 : e.tokens.refs.length,
        hostLabel: hostOptions().hostLabel,
        allowedHosts: [...hostOptions().allowedHosts],
        lastError,
        lockedBy: { ...e.lockedBy },
        stats: {
          requestsAccepted: counters.requestsAccepted,
          samplesAccepted: counters.samplesAccepted,
          refused: { ...counters.refused },
          samplesIgnored: hosts.ignored,
          hosts: hosts.count,
          lastRequestAt: counters.lastRequestAt,
          lastRefusal: counters.lastRefusal,
        },
      };
    };

    /** The tokens the listener needs, or why it cannot have them. Never logged. */
    async function tokensFor(e: Effective): Promise<{ ok: true; value: ReceiverToken[] } | { ok: false; problem: string }> {
      if (e.tokens === null) return { ok: false, problem: 'no token is set (a receiver without one would take anybody’s data): set one on the Settings screen, or token_env / token_file in the provisioning file' };
      if (e.tokens.from === 'ui') {
        const token = await ctx.secrets.get(RECEIVER_TOKEN_SECRET).catch(() => undefined);
        return token ? { ok: true, value: [{ token }] } : { ok: false, problem: 'the receiver token is missing from the secret store; set it again' };
      }
      const out: ReceiverToken[] = [];
      for (const [i, t] of e.tokens.refs.entries()) {
        const r = resolveSecretRef(t.ref, { baseDir: fileBaseDir, environment: env });
        if ('problem' in r) return { ok: false, problem: `receiver token${e.tokens.refs.length > 1 ? ` #${i + 1}` : ''}: ${r.problem}` };
        out.push({ token: r.value, ...(t.hostPrefix ? { hostPrefix: t.hostPrefix } : {}) });
      }
      return { ok: true, value: out };
    }

    async function closeRunning() {
      const r = running;
      running = undefined;
      if (r) await r.receiver.close();
    }

    async function reconcileNow() {
      if (!started || stopped) return;
      hosts.configure(hostOptions());
      const e = effective();
      if (!e.enabled) {
        if (running) ctx.log.info('remote-write receiver stopped (disabled)');
        await closeRunning();
        lastError = null;
        return;
      }
      const tokens = await tokensFor(e);
      if (!tokens.ok) {
        await closeRunning();
        lastError = `${tokens.problem}; the receiver stays off until it is fixed`;
        ctx.log.error(`remote-write receiver not started: ${lastError}`);
        return;
      }
      const limits = {
        maxRequestBytes: file?.maxRequestBytes ?? DEFAULT_RECEIVER_LIMITS.maxRequestBytes,
        maxSamplesPerSecond: file?.maxSamplesPerSecond ?? DEFAULT_RECEIVER_LIMITS.maxSamplesPerSecond,
      };
      // A digest of the tokens, so a rotated one restarts the listener without keeping the value around.
      const key = createHash('sha256').update(JSON.stringify({ listen: e.listen, tokens: tokens.value, limits })).digest('hex');
      if (running?.key === key) return;
      await closeRunning();
      try {
        const receiver = await startRemoteWriteReceiver({
          host: e.listen.host,
          port: e.listen.port,
          tokens: tokens.value,
          limits,
          sink: hosts,
          counters,
          log: ctx.log,
          now: ctx.now,
          onRequest: () => (changedPending = true),
        });
        if (stopped) {
          await receiver.close();
          return;
        }
        running = { receiver, key };
        lastError = null;
        if (isAllInterfaces(e.listen.host)) ctx.log.warn('the remote-write receiver listens on every network interface: any machine that can reach this one and holds a token can push hosts', { url: receiver.url });
      } catch (err) {
        const message = (err as Error).message;
        lastError = /EADDRINUSE/.test(message) ? `cannot listen on ${formatListenAddress(e.listen)}: the port is already in use by another program; choose another port` : message;
        ctx.log.error(lastError);
      }
    }

    function reconcile(): Promise<void> {
      const next = queue.then(reconcileNow).then(
        () => ctx.emit('receiver/changed', state()),
        (err: unknown) => {
          lastError = `the receiver could not be (re)started: ${(err as Error).message}`;
          ctx.log.error(lastError);
          ctx.emit('receiver/changed', state());
        },
      );
      queue = next;
      return next;
    }

    async function update(patch: ReceiverUpdate): Promise<ReceiverState> {
      const locks = effective().lockedBy;
      const locked = (['enabled', 'listen', 'token'] as const).filter((field) => patch[field] !== undefined && locks[field] !== null);
      if (locked.length) throw provisionedFieldsError(locked, [...new Set(locked.map((f) => LOCK_TEXT[locks[f]!]))].join(' and '));
      if (patch.token !== undefined) {
        if (patch.token === null) await ctx.secrets.delete(RECEIVER_TOKEN_SECRET);
        else await ctx.secrets.set(RECEIVER_TOKEN_SECRET, patch.token);
        uiTokenSet = patch.token !== null;
      }
      if (patch.enabled !== undefined || patch.listen !== undefined) {
        const listen = patch.listen !== undefined ? parseListenAddress(patch.listen) : undefined;
        if (listen && !listen.ok) throw new RpcError('invalid_input', 'listen: not host:port');
        saved = { ...saved, ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}), ...(listen?.ok ? { listen: formatListenAddress(listen.address) } : {}) };
        writeJsonDataFile(path.join(ctx.dataDir, 'receiver.json'), saved);
      }
      await reconcile();
      return state();
    }

    return {
      name: 'remote-write receiver',
      provisioning: [receiverSection],
      handlers: {
        'receiver/get': () => state(),
        'receiver/update': update,
      },
      async start() {
        try {
          uiTokenSet = (await ctx.secrets.get(RECEIVER_TOKEN_SECRET)) !== undefined;
        } catch (err) {
          ctx.log.error('could not read the receiver token from the secret store', { error: (err as Error).message });
        }
        started = true;
        await reconcile();
        // Frames settle and silent hosts go offline with time, not only when a request comes in.
        tick = setInterval(() => {
          hosts.flush(ctx.now());
          if (changedPending) {
            changedPending = false;
            ctx.emit('receiver/changed', state());
          }
        }, 1000);
        tick.unref();
      },
      async stop() {
        stopped = true;
        if (tick) clearInterval(tick);
        await queue.catch(() => {});
        await closeRunning();
      },
      onProvisioning(result) {
        file = result.config ? sectionOf(result.config, receiverSection) : null;
        fileBaseDir = result.config?.baseDir;
        if (started) void reconcile();
      },
      exposition(): ExposedFamily[] {
        const refused = Object.entries(counters.refused).map(([reason, value]) => ({ labels: { result: reason }, value }));
        return [
          {
            name: 'overlook_remote_write_requests_total',
            help: 'Remote-write requests the receiver answered, by result (accepted, or why refused).',
            type: 'counter',
            values: [{ labels: { result: 'accepted' }, value: counters.requestsAccepted }, ...refused],
          },
          {
            name: 'overlook_remote_write_samples_total',
            help: 'Samples in accepted remote-write requests: taken by a host, or ignored (not a node_exporter or cAdvisor name, no host label, a host not allowed).',
            type: 'counter',
            values: [
              { labels: { result: 'accepted' }, value: counters.samplesAccepted - hosts.ignored },
              { labels: { result: 'ignored' }, value: hosts.ignored },
            ],
          },
          { name: 'overlook_remote_write_invalid_series_total', help: 'Series the remote-write spec does not allow, left out of requests otherwise applied.', type: 'counter', values: [{ labels: {}, value: counters.seriesInvalid }] },
          { name: 'overlook_remote_write_hosts', help: 'Hosts that pushed since the console started.', type: 'gauge', values: [{ labels: {}, value: hosts.count }] },
        ];
      },
    };
  };
}

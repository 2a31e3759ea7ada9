// Service checks as a feature of the core: checks added in the UI (kept in
// <dataDir>/checks.json) and the provisioning file's `checks:` (read-only in
// the UI, auth by reference), one managed set. Each check runs from each of
// its vantage points — the console itself, or an SSH host through a
// direct-tcpip channel over the connection the console already holds
// (ctx.openStreamVia, answered by the SSH feature) — every interval, the
// first run spread over the first interval so a hundred checks do not fire
// at once. Results go to the store like any series, onto /metrics in
// blackbox_exporter's names with `check` and `vantage` labels, and to the
// checks screen (`checks/changed`).
import fs from 'node:fs/promises';
import path from 'node:path';
import { RpcError, type Handlers } from '../../common/contract.js';
import { CERT_WARN_DAYS_DEFAULT, CONSOLE_VANTAGE, isSecretHeader, type CheckDraft, type CheckResult, type CheckView } from '../../common/checks.js';
import type { Sample } from '../../common/series.js';
import { resolveSecretRef, type SecretRef } from '../config/secretRef.js';
import { sectionOf } from '../config/provisioning.js';
import type { CoreContext, CoreFeature } from '../coreContext.js';
import type { ExposedFamily } from '../exposition.js';
import { ManagedSet } from '../managed/managedSet.js';
import { checksFile, type StoredCheck } from './checksFile.js';
import { checksSection, type CheckAuthRef, type ProvisionedCheck } from './checksSection.js';
import { consoleDial, consolePing, pingProbe, ProbeFailure, runProbe, type Dial, type ProbeSpec, type RunPing } from './probes.js';

export interface ChecksFeatureOptions {
  /** The provisioning file's `*_env` secrets are read here (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** The first run's delay as a share of the interval (default: random in [0, 1): jitter). Tests pin it. */
  readonly firstRunShare?: () => number;
}

export interface CheckDef {
  readonly name: string;
  readonly provisioned: boolean;
  readonly draft: CheckDraft;
  readonly auth: CheckAuthRef;
  readonly baseDir?: string;
  /** Absolute. */
  readonly caFile?: string;
}

const MAX_CA_FILE_BYTES = 1024 * 1024;
const NOT_CHECK = (name: string) => new RpcError('not_found', `no service check named "${name}"`);

/** One check's timers and latest results. */
class CheckRuntime {
  readonly results = new Map<string, CheckResult>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Map<string, Promise<CheckResult>>();
  private stopped = false;

  constructor(
    readonly def: CheckDef,
    private readonly runOnce: (def: CheckDef, vantage: string) => Promise<CheckResult>,
    private readonly onResult: (rt: CheckRuntime, result: CheckResult) => void,
  ) {}

  start(firstShare: () => number): void {
    if (!this.def.draft.enabled) return;
    const interval = this.def.draft.intervalMs;
    for (const vantage of this.def.draft.vantages) {
      const first = setTimeout(() => {
        if (this.stopped) return;
        void this.run(vantage);
        this.timers.push(setInterval(() => void this.run(vantage), interval));
      }, Math.floor(firstShare() * interval));
      this.timers.push(first);
    }
  }

  /** One run from a vantage point; a run still going is joined, not doubled. */
  run(vantage: string): Promise<CheckResult> {
    const going = this.inFlight.get(vantage);
    if (going) return going;
    const p = this.runOnce(this.def, vantage)
      .then((result) => {
        if (!this.stopped) {
          this.results.set(vantage, result);
          this.onResult(this, result);
        }
        return result;
      })
      .finally(() => this.inFlight.delete(vantage));
    this.inFlight.set(vantage, p);
    return p;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.splice(0)) clearTimeout(t);
    await Promise.allSettled([...this.inFlight.values()]);
  }
}

export const CERT_DAYS_SERIES = 'check:cert_expiry:days';
/**
 * Days left minus the check's own warning days (cert_warn_days): below 0 once
 * the certificate is inside its warning window. The built-in "certificate
 * expires soon" rule is the plain `< 0` over it, so each check warns at its
 * own threshold; the `warn_days` label says which threshold applied.
 */
export const CERT_WARNING_SERIES = 'check:cert_expiry:days_before_warning';

/** The secret store's ids for a UI check's secrets. */
const authRef = (check: string) => `check:${check}:auth`;
const headerRef = (check: string, header: string) => `check:${check}:header:${header.toLowerCase()}`;
const refPrefix = (check: string) => `check:${check}:`;

/** The samples one result stores, in blackbox_exporter's names. */
export function resultSamples(check: string, kind: CheckDraft['kind'], r: CheckResult, warnDays: number = CERT_WARN_DAYS_DEFAULT): Sample[] {
  const labels = { check, vantage: r.vantage };
  const t = r.at;
  const out: Sample[] = [
    { name: 'probe_success', labels, t, v: r.up ? 1 : 0 },
    { name: 'probe_duration_seconds', labels, t, v: r.durationSeconds },
  ];
  if (kind === 'http') {
    out.push({ name: 'probe_http_status_code', labels, t, v: r.statusCode ?? 0 });
    for (const phase of ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const) out.push({ name: 'probe_http_duration_seconds', labels: { ...labels, phase }, t, v: r.phases[phase] ?? 0 });
  }
  if (r.certExpiry !== undefined) {
    out.push({ name: 'probe_ssl_earliest_cert_expiry', labels, t, v: r.certExpiry });
    // Days left, kept for the built-in "certificate expires soon" rule (a threshold rule compares a series with a number; there is no `- time()`). History only, not on /metrics.
    const days = Math.round(((r.certExpiry * 1000 - t) / 86_400_000) * 100) / 100;
    out.push({ name: CERT_DAYS_SERIES, labels, t, v: days });
    out.push({ name: CERT_WARNING_SERIES, labels: { ...labels, warn_days: String(warnDays) }, t, v: Math.round((days - warnDays) * 100) / 100 });
  }
  return out;
}

const FAMILIES: readonly { name: string; help: string }[] = [
  { name: 'probe_success', help: 'Whether the service check succeeded (1) or not (0), per check and vantage point.' },
  { name: 'probe_duration_seconds', help: 'How long the check took, in seconds.' },
  { name: 'probe_http_status_code', help: 'The HTTP status code of the last response (0 when none came).' },
  { name: 'probe_http_duration_seconds', help: 'Duration of the HTTP request by phase, summed over all redirects.' },
  { name: 'probe_ssl_earliest_cert_expiry', help: 'The earliest expiry of the certificate chain the server sent, in seconds since the epoch.' },
];

export function createChecksFeature(options: ChecksFeatureOptions = {}) {
  return (ctx: CoreContext): CoreFeature => {
    const env = options.env ?? process.env;
    const firstShare = options.firstRunShare ?? Math.random;

    const secretOf = (ref: SecretRef, baseDir: string | undefined, what: string): string => {
      const r = resolveSecretRef(ref, { ...(baseDir ? { baseDir } : {}), environment: env });
      if ('problem' in r) throw new Error(`${what}: ${r.problem}`);
      return r.value;
    };

    /** A UI check's secrets, from the secret store: the Authorization its auth makes, and its secret-looking headers. */
    async function storedSecrets(def: CheckDef): Promise<{ authorization?: string; secretHeaders: Record<string, string> }> {
      const d = def.draft;
      const secretHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(d.http?.headers ?? {})) {
        if (!isSecretHeader(name) || value !== '') continue;
        const stored = await ctx.secrets.get(headerRef(def.name, name));
        if (stored === undefined) throw new ProbeFailure('auth_missing', `header ${name}: no value is stored; edit the check and enter it`);
        secretHeaders[name] = stored;
      }
      const auth = d.auth ?? { type: 'none' as const };
      if (auth.type === 'none') return { secretHeaders };
      const secret = await ctx.secrets.get(authRef(def.name));
      if (secret === undefined) throw new ProbeFailure('auth_missing', `no ${auth.type === 'basic' ? 'password' : 'token'} is stored; edit the check and enter it`);
      return { secretHeaders, authorization: auth.type === 'bearer' ? `Bearer ${secret}` : `Basic ${Buffer.from(`${auth.username}:${secret}`).toString('base64')}` };
    }

    async function probeSpec(def: CheckDef): Promise<ProbeSpec> {
      const d = def.draft;
      let authorization: string | undefined;
      let secretHeaders: Record<string, string> | undefined;
      if (!def.provisioned) ({ authorization, secretHeaders } = await storedSecrets(def));
      else if (def.auth.type === 'bearer') authorization = `Bearer ${secretOf(def.auth.token, def.baseDir, 'token')}`;
      else if (def.auth.type === 'basic') authorization = `Basic ${Buffer.from(`${def.auth.username}:${secretOf(def.auth.password, def.baseDir, 'basic auth password')}`).toString('base64')}`;
      let ca: string | undefined;
      if (def.caFile) {
        const stat = await fs.stat(def.caFile).catch(() => undefined);
        if (!stat?.isFile()) throw new Error(`CA file ${def.caFile} does not exist`);
        if (stat.size > MAX_CA_FILE_BYTES) throw new Error(`CA file ${def.caFile} is larger than 1 MiB; is it the right file?`);
        ca = await fs.readFile(def.caFile, 'utf8');
      }
      return {
        kind: d.kind,
        target: d.target,
        ...(d.http ? { http: d.http } : {}),
        ...(d.banner ? { banner: d.banner } : {}),
        ...(d.serverName ? { serverName: d.serverName } : {}),
        timeoutMs: d.timeoutMs,
        ...(ca ? { ca } : {}),
        ...(authorization ? { authorization } : {}),
        ...(secretHeaders && Object.keys(secretHeaders).length > 0 ? { secretHeaders } : {}),
      };
    }

    function dialFrom(vantage: string): Dial {
      if (vantage === CONSOLE_VANTAGE) return consoleDial;
      return async (host, port) => {
        const t0 = performance.now();
        // The host's sshd could not open the direct-tcpip channel (RFC 4254 §7.2: it answers OPEN_FAILURE, not why) or the host is not connected.
        const stream = await ctx.openStreamVia(vantage, host, port).catch((err: unknown) => {
          const message = (err as Error).message;
          throw new ProbeFailure(/could not connect to/.test(message) ? 'connect_failed' : 'vantage_unreachable', message);
        });
        return { stream, resolveSeconds: 0, connectSeconds: (performance.now() - t0) / 1000 };
      };
    }

    async function runOnce(def: CheckDef, vantage: string): Promise<CheckResult> {
      const at = ctx.now();
      if (def.draft.kind === 'ping') {
        // The host's own ping through its connection; the target matched PingHostPattern, so it needs no quoting beyond this.
        const run: RunPing =
          vantage === CONSOLE_VANTAGE
            ? consolePing
            : (args, timeoutMs) =>
                ctx.runVia(vantage, `ping ${args.map((a) => `'${a}'`).join(' ')}`, timeoutMs).catch((err: unknown) => {
                  throw new ProbeFailure('vantage_unreachable', (err as Error).message);
                });
        return { vantage, at, ...(await pingProbe(def.draft.target, def.draft.timeoutMs, run)) };
      }
      let spec: ProbeSpec;
      try {
        spec = await probeSpec(def);
      } catch (err) {
        return { vantage, at, up: false, durationSeconds: 0, phases: {}, reason: err instanceof ProbeFailure ? err.reason : 'config', detail: (err as Error).message };
      }
      const outcome = await runProbe(spec, dialFrom(vantage));
      return { vantage, at, ...outcome };
    }

    let changedTimer: NodeJS.Timeout | undefined;
    const emitChanged = () => {
      if (changedTimer) return;
      changedTimer = setTimeout(() => {
        changedTimer = undefined;
        ctx.emit('checks/changed', views());
      }, 250);
    };

    const onResult = (rt: CheckRuntime, result: CheckResult) => {
      void ctx.ingest(resultSamples(rt.def.name, rt.def.draft.kind, result, rt.def.draft.certWarnDays));
      emitChanged();
    };

    const checks: ManagedSet<StoredCheck, ProvisionedCheck, CheckDef, CheckRuntime> = new ManagedSet({
      what: 'service check',
      section: 'checks',
      dataDir: ctx.dataDir,
      file: checksFile,
      log: ctx.log,
      fromStored: (s): CheckDef => ({ name: s.name, provisioned: false, draft: s, auth: { type: 'none' } }),
      fromProvisioned: (p, baseDir): CheckDef => ({ name: p.name, provisioned: true, draft: p.draft, auth: p.auth, baseDir, ...(p.caFile ? { caFile: path.resolve(baseDir, p.caFile) } : {}) }),
      start: (def) => {
        const rt = new CheckRuntime(def, runOnce, onResult);
        rt.start(firstShare);
        emitChanged();
        return rt;
      },
      stop: async ({ runtime }) => {
        await runtime.stop();
        emitChanged();
      },
    });

    /** Refs the secret store holds for UI checks (ids, never values), kept as they are written. */
    const storedRefs = new Set<string>();

    /** The draft as the renderer may see it: secret-looking header values blanked (set or not is in `secrets`). */
    function maskedDraft(d: CheckDraft): CheckDraft {
      if (!d.http) return d;
      return { ...d, http: { ...d.http, headers: Object.fromEntries(Object.entries(d.http.headers).map(([k, v]) => [k, isSecretHeader(k) ? '' : v])) } };
    }

    function secretsSet(def: CheckDef): CheckView['secrets'] {
      const headers = Object.entries(def.draft.http?.headers ?? {})
        .filter(([k, v]) => isSecretHeader(k) && (def.provisioned ? v !== '' : storedRefs.has(headerRef(def.name, k))))
        .map(([k]) => k);
      const auth = def.provisioned ? def.auth.type !== 'none' : (def.draft.auth?.type ?? 'none') !== 'none' && storedRefs.has(authRef(def.name));
      return { headers, auth };
    }

    function view(def: CheckDef, rt: CheckRuntime | undefined): CheckView {
      const d = def.draft;
      return {
        name: def.name,
        kind: d.kind,
        target: d.target,
        vantages: [...d.vantages],
        intervalMs: d.intervalMs,
        timeoutMs: d.timeoutMs,
        enabled: d.enabled,
        provisioned: def.provisioned,
        draft: maskedDraft(d),
        results: d.vantages.flatMap((v) => {
          const r = rt?.results.get(v);
          return r ? [r] : [];
        }),
        secrets: secretsSet(def),
      };
    }
    const views = (): CheckView[] => checks.entries().map(({ def, runtime }) => view(def, runtime));
    const viewOf = (name: string): CheckView => {
      const rt = checks.runtime(name);
      if (!rt) throw NOT_CHECK(name);
      return view(rt.def, rt);
    };

    const validateVantages = (draft: CheckDraft) => {
      for (const v of draft.vantages) {
        if (v === CONSOLE_VANTAGE) continue;
        const host = ctx.host(v);
        if (!host || host.host.kind !== 'ssh') throw new RpcError('invalid_input', `vantage point ${v}: no SSH host has that name (use "console" or an SSH host's name)`);
      }
    };

    /**
     * Moves a draft's secrets into the secret store and returns what checks.json
     * keeps: the auth without its password or token, secret-looking headers with
     * an empty value. An empty or absent secret on an edit keeps the stored one;
     * refs the check no longer uses are deleted.
     */
    async function keepSecrets(draft: CheckDraft): Promise<CheckDraft> {
      const name = draft.name;
      const writes: [string, string][] = [];
      const used = new Set<string>();
      const headers: Record<string, string> = {};
      for (const [header, value] of Object.entries(draft.http?.headers ?? {})) {
        if (!isSecretHeader(header)) {
          headers[header] = value;
          continue;
        }
        const ref = headerRef(name, header);
        used.add(ref);
        headers[header] = '';
        if (value !== '') writes.push([ref, value]);
        else if (!storedRefs.has(ref)) throw new RpcError('invalid_input', `header ${header}: enter its value`);
      }
      let auth = draft.auth;
      if (auth && auth.type !== 'none') {
        const ref = authRef(name);
        used.add(ref);
        const secret = auth.type === 'basic' ? auth.password : auth.token;
        if (secret) writes.push([ref, secret]);
        else if (!storedRefs.has(ref)) throw new RpcError('invalid_input', auth.type === 'basic' ? 'enter the password' : 'enter the token');
        auth = auth.type === 'basic' ? { type: 'basic', username: auth.username } : { type: 'bearer' };
      }
      for (const [ref, value] of writes) {
        await ctx.secrets.set(ref, value);
        storedRefs.add(ref);
      }
      await forgetSecrets(name, used);
      return { ...draft, ...(auth ? { auth } : {}), ...(draft.http ? { http: { ...draft.http, headers } } : {}) };
    }

    async function forgetSecrets(name: string, keep: ReadonlySet<string> = new Set()): Promise<void> {
      for (const ref of [...storedRefs]) {
        if (!ref.startsWith(refPrefix(name)) || keep.has(ref)) continue;
        await ctx.secrets.delete(ref);
        storedRefs.delete(ref);
      }
    }

    const handlers: Partial<Handlers> = {
      'checks/list': () => views(),
      'checks/add': async (input) => {
        if (checks.has(input.name)) throw new RpcError('invalid_input', `a check named "${input.name}" already exists`);
        validateVantages(input);
        await forgetSecrets(input.name); // left over from a check of that name removed while the store could not be written
        const draft = await keepSecrets(input);
        checks.setStored([...checks.stored, draft]);
        await checks.reconcile();
        ctx.log.info(`check ${draft.name}: added (${draft.kind} ${draft.target})`);
        return viewOf(draft.name);
      },
      'checks/update': async ({ name, draft: input }) => {
        checks.editable(name, () => NOT_CHECK(name));
        if (input.name !== name) throw new RpcError('invalid_input', 'a check cannot be renamed (its name labels its history); remove it and add it again under the new name');
        validateVantages(input);
        const draft = await keepSecrets(input);
        checks.setStored(checks.stored.map((s) => (s.name === name ? draft : s)));
        await checks.reconcile(new Set([name]));
        return viewOf(name);
      },
      'checks/remove': async ({ name }) => {
        checks.editable(name, () => NOT_CHECK(name));
        checks.setStored(checks.stored.filter((s) => s.name !== name));
        await checks.reconcile();
        await forgetSecrets(name);
        ctx.log.info(`check ${name}: removed`);
        return true;
      },
      'checks/set-enabled': async ({ name, enabled }) => {
        const { def } = checks.editable(name, () => NOT_CHECK(name));
        if (def.draft.enabled !== enabled) {
          checks.setStored(checks.stored.map((s) => (s.name === name ? { ...s, enabled } : s)));
          await checks.reconcile();
          ctx.log.info(`check ${name}: ${enabled ? 'resumed' : 'paused'}`);
        }
        return viewOf(name);
      },
      'checks/run': async ({ name }) => {
        const rt = checks.runtime(name);
        if (!rt) throw NOT_CHECK(name);
        await Promise.all(rt.def.draft.vantages.map((v) => rt.run(v)));
        return viewOf(name);
      },
    };

    let started = false;
    return {
      name: 'service checks',
      handlers,
      provisioning: [checksSection],
      async start() {
        for (const ref of await ctx.secrets.list().catch(() => [])) if (ref.startsWith('check:')) storedRefs.add(ref);
        checks.load();
        started = true;
        await checks.reconcile();
      },
      onProvisioning(result) {
        if (!result.config) return;
        checks.setProvisioned(sectionOf(result.config, checksSection), result.config.baseDir);
        if (started) void checks.reconcile();
      },
      exposition(request): ExposedFamily[] {
        const values = new Map<string, ExposedFamily['values'][number][]>(FAMILIES.map((f) => [f.name, []]));
        for (const { def, runtime } of checks.entries()) {
          for (const r of runtime.results.values()) {
            for (const s of resultSamples(def.name, def.draft.kind, r, def.draft.certWarnDays)) values.get(s.name)?.push({ labels: s.labels, value: s.v });
          }
        }
        return FAMILIES.filter((f) => !request.reserved.has(f.name) && values.get(f.name)!.length > 0).map((f) => ({ name: f.name, help: f.help, type: 'gauge' as const, values: values.get(f.name)! }));
      },
      async stop() {
        clearTimeout(changedTimer);
        await checks.stop();
      },
    };
  };
}

// The "Test connection" button: runs every step a host source would, once,
// and reports each one (what, ok or not, how long, what it found) so the user
// sees exactly where it failed. Never accepts a host key: an unknown one is
// returned with its fingerprint for the UI to show and the user to accept.
import dns from 'node:dns/promises';
import { deployAgent, type DeployableAgent } from './deployAgent.js';
import { normaliseFingerprint, type HostKeyStore } from './knownHosts.js';
import { probeRemoteOs } from './remoteOs.js';
import { connectSsh, type ConnectOptions, type SshConnection, type SshEndpoint } from './sshConnection.js';
import { HostKeyChangedError, HostKeyUnknownError, SshError, classifyConnectError, type SshErrorKind } from './sshErrors.js';

export type TestStepName = 'resolve' | 'connect' | 'host_key' | 'auth' | 'uname' | 'agent_deploy' | 'agent_run';

export interface TestStep {
  readonly step: TestStepName;
  /** "host:port" for steps that belong to one hop. */
  readonly hop?: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly ms: number;
}

export interface ConnectionCheckResult {
  readonly ok: boolean;
  readonly steps: readonly TestStep[];
  readonly error?: {
    readonly kind: SshErrorKind;
    readonly message: string;
    /** For host_key_unknown / host_key_changed: what to show and what to accept. */
    readonly hostKey?: { readonly host: string; readonly port: number; readonly keyType: string; readonly key: string; readonly fingerprint: string };
  };
}

export interface ConnectionCheckInput {
  readonly target: SshEndpoint;
  readonly jumps?: readonly SshEndpoint[];
  readonly hostKeys: HostKeyStore;
  readonly agent: DeployableAgent;
  readonly agentDir?: string;
  readonly readyTimeoutMs?: number;
  /** Run the agent once and check it prints a whole frame (the slowest step, about a second). */
  readonly runAgentOnce?: boolean;
  /**
   * The fingerprint the user chose to trust for an unknown host key (of the
   * target or a jump host): if that hop offers exactly this key, it is
   * accepted into the console's known_hosts and the check goes on.
   */
  readonly trustHostKey?: string;
  /** Where details a caller must not see go (why a key file cannot be used). */
  readonly log?: ConnectOptions['log'];
}

export async function checkConnection(input: ConnectionCheckInput): Promise<ConnectionCheckResult> {
  const steps: TestStep[] = [];
  let stepStart = Date.now();
  const record = (step: TestStepName, ok: boolean, detail: string, hop?: string) => {
    const now = Date.now();
    steps.push({ step, ok, detail, ms: now - stepStart, ...(hop ? { hop } : {}) });
    stepStart = now;
  };
  const failed = (err: unknown): ConnectionCheckResult => {
    const e = classifyConnectError(err, `${input.target.host}:${input.target.port}`, input.target.username);
    const hostKey = e instanceof HostKeyUnknownError || e instanceof HostKeyChangedError ? { host: e.host, port: e.port, keyType: e.keyType, key: e.key, fingerprint: e.fingerprint } : undefined;
    return { ok: false, steps, error: { kind: e.kind, message: e.message, ...(hostKey ? { hostKey } : {}) } };
  };

  // Only the first hop is resolved here: later hops are resolved by the jump host.
  const first = input.jumps?.[0] ?? input.target;
  try {
    const addresses = await dns.lookup(first.host, { all: true });
    record('resolve', true, `${first.host} → ${addresses.map((a) => a.address).join(', ')}`, `${first.host}:${first.port}`);
  } catch (err) {
    const e = classifyConnectError(err, `${first.host}:${first.port}`);
    record('resolve', false, e.message, `${first.host}:${first.port}`);
    return failed(e);
  }

  let conn: SshConnection | undefined;
  const connect = () =>
    connectSsh({
      target: input.target,
      ...(input.jumps ? { jumps: input.jumps } : {}),
      hostKeys: input.hostKeys,
      ...(input.readyTimeoutMs ? { readyTimeoutMs: input.readyTimeoutMs } : {}),
      ...(input.log ? { log: input.log } : {}),
      onStep: (s) => {
        if (s.step !== 'ready') record(s.step, s.ok, s.detail, s.hop);
      },
    });
  const beforeConnect = steps.length;
  try {
    conn = await connect();
  } catch (err) {
    // Trusted by the user from this dialog: the same key (by fingerprint), for the hop that offered it, and only an unknown one.
    if (!(err instanceof HostKeyUnknownError) || input.trustHostKey === undefined || normaliseFingerprint(input.trustHostKey) !== err.fingerprint) return failed(err);
    input.hostKeys.accept(err.host, err.port, err.keyType, err.key);
    steps.length = beforeConnect;
    stepStart = Date.now();
    try {
      conn = await connect();
    } catch (again) {
      return failed(again);
    }
    const trusted = `${err.host}:${err.port}`;
    for (let i = beforeConnect; i < steps.length; i++) {
      const s = steps[i]!;
      if (s.step === 'host_key' && s.ok && (s.hop === undefined || s.hop === trusted)) steps[i] = { ...s, detail: `${err.keyType} ${err.fingerprint}, trusted now (added to the console's known_hosts)` };
    }
  }

  try {
    try {
      const os = await probeRemoteOs(conn);
      record('uname', true, `${os.kernel} ${os.arch}`);
    } catch (err) {
      record('uname', false, (err as Error).message);
      throw err;
    }
    let agentPath: string;
    try {
      const deployed = await deployAgent(conn, input.agent, input.agentDir ? { dir: input.agentDir } : {});
      agentPath = deployed.path;
      record(
        'agent_deploy',
        true,
        deployed.uploaded
          ? `agent ${input.agent.version} uploaded by ${deployed.method} to ~/${deployed.path}, checksum verified${deployed.sftpProblem && deployed.method === 'exec' ? ` (${deployed.sftpProblem})` : ''}`
          : `agent ${input.agent.version} already at ~/${deployed.path}, checksum verified`,
      );
    } catch (err) {
      record('agent_deploy', false, (err as Error).message);
      throw err;
    }
    if (input.runAgentOnce) {
      const result = await conn.run(`sh ${agentPath} once`, { timeoutMs: 30_000 });
      const text = result.stdout.toString('utf8');
      const error = /^@@overlook-agent \S+ error (.*)$/m.exec(text);
      if (result.code === 0 && /^@@overlook-agent \S+ end 1$/m.test(text)) {
        record('agent_run', true, `one sample, ${text.length} bytes`);
      } else {
        const why = error?.[1] ?? (result.stderr.trim().split('\n').slice(-2).join(' | ').slice(0, 300) || `exit ${result.code}`);
        record('agent_run', false, `the agent did not print a sample: ${why}`);
        throw new SshError(error && /unsupported os/i.test(error[1]!) ? 'unsupported_os' : 'agent_error', `The agent did not print a sample: ${why}`);
      }
    }
    return { ok: true, steps };
  } catch (err) {
    return failed(err);
  } finally {
    conn.close();
  }
}

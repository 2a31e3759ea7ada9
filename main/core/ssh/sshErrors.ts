// SSH failures, classified for the UI and for the reconnect policy. Messages
// name the host, port, user and key file path (all shown in the UI anyway) and
// never a password, passphrase or private key: errors are built here from
// codes, not by passing through whatever text a library produced.
import type { HostStatus } from '../../common/contract.js';

export type SshErrorKind =
  | 'auth_failed'
  | 'host_key_unknown'
  | 'host_key_changed'
  | 'dns'
  | 'refused'
  | 'timeout'
  | 'unreachable'
  | 'closed'
  | 'unsupported_os'
  | 'agent_error'
  | 'config'
  | 'protocol';

export class SshError extends Error {
  override readonly name: string = 'SshError';
  constructor(
    readonly kind: SshErrorKind,
    message: string,
    /** "host:port" of the hop that failed (a jump host or the target). */
    readonly hop?: string,
  ) {
    super(message);
  }
}

interface HostKeyDetails {
  readonly host: string;
  readonly port: number;
  readonly keyType: string;
  /** base64 key blob: public, needed to accept the key. */
  readonly key: string;
  readonly fingerprint: string;
}

/** The server's key is in no known_hosts file: the UI shows the fingerprint and asks. */
export class HostKeyUnknownError extends SshError implements HostKeyDetails {
  override readonly name = 'HostKeyUnknownError';
  readonly host: string;
  readonly port: number;
  readonly keyType: string;
  readonly key: string;
  readonly fingerprint: string;
  constructor(details: HostKeyDetails) {
    super(
      'host_key_unknown',
      `The host key of ${details.host}:${details.port} is not known. ${details.keyType} key fingerprint is ${details.fingerprint}. Confirm it matches the server before accepting.`,
      `${details.host}:${details.port}`,
    );
    ({ host: this.host, port: this.port, keyType: this.keyType, key: this.key, fingerprint: this.fingerprint } = details);
  }
}

/** The server presented a key other than the one known (or a revoked one): the host is blocked. */
export class HostKeyChangedError extends SshError implements HostKeyDetails {
  override readonly name = 'HostKeyChangedError';
  readonly host: string;
  readonly port: number;
  readonly keyType: string;
  readonly key: string;
  readonly fingerprint: string;
  readonly revoked: boolean;
  readonly decidedBy: string;
  constructor(details: HostKeyDetails & { revoked: boolean; decidedBy: string }) {
    super(
      'host_key_changed',
      details.revoked
        ? `The host key of ${details.host}:${details.port} (${details.keyType} ${details.fingerprint}) is marked @revoked. The host is blocked.`
        : `WARNING: the host key of ${details.host}:${details.port} has changed (now ${details.keyType} ${details.fingerprint}, checked against ${details.decidedBy === 'pin' ? 'the pinned fingerprint' : details.decidedBy === 'console' ? 'the key accepted in Overlook' : '~/.ssh/known_hosts'}). Someone could be intercepting the connection, or the server was reinstalled. The host is blocked until you review and accept the new key.`,
      `${details.host}:${details.port}`,
    );
    ({ host: this.host, port: this.port, keyType: this.keyType, key: this.key, fingerprint: this.fingerprint } = details);
    this.revoked = details.revoked;
    this.decidedBy = details.decidedBy;
  }
}

/** The per-host status an error puts the host in. */
export function statusForError(err: SshError): HostStatus {
  switch (err.kind) {
    case 'auth_failed':
      return 'auth_failed';
    case 'host_key_unknown':
      return 'host_key_unknown';
    case 'host_key_changed':
      return 'host_key_changed';
    case 'unsupported_os':
      return 'unsupported_os';
    case 'agent_error':
      return 'agent_error';
    default:
      return 'offline';
  }
}

/** Errors that need a user action (or a config change); retrying soon cannot fix them. */
export function needsUserAction(err: SshError): boolean {
  return err.kind === 'auth_failed' || err.kind === 'host_key_unknown' || err.kind === 'host_key_changed' || err.kind === 'config';
}

interface NodeishError {
  code?: string;
  level?: string;
  message?: string;
  syscall?: string;
}

/**
 * Maps what net, dns and ssh2 throw onto our kinds. `hop` is "host:port";
 * `user` is only used in the auth message.
 */
export function classifyConnectError(raw: unknown, hop: string, user?: string): SshError {
  if (raw instanceof SshError) return raw;
  const err = (raw ?? {}) as NodeishError;
  const code = err.code ?? '';
  const message = err.message ?? String(raw);
  if (err.level === 'client-authentication') {
    return new SshError('auth_failed', `Authentication failed for ${user ?? 'the user'} at ${hop}: the server rejected every offered method (wrong password, key not authorised, or no usable key in the agent).`, hop);
  }
  if (err.level === 'client-timeout' || code === 'ETIMEDOUT' || /timed out/i.test(message)) {
    return new SshError('timeout', `Timed out connecting to ${hop} (no SSH handshake in time).`, hop);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') {
    return new SshError('dns', `Unknown host name: ${hop.replace(/:\d+$/, '')} could not be resolved${code === 'EAI_AGAIN' ? ' (DNS not answering)' : ''}.`, hop);
  }
  if (code === 'ECONNREFUSED' || /connection refused/i.test(message)) {
    return new SshError('refused', `Connection refused by ${hop}: nothing listens on that port, or a firewall rejects it.`, hop);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EHOSTDOWN' || code === 'ENETDOWN' || /no route to host|unreachable/i.test(message)) {
    return new SshError('unreachable', `${hop} is unreachable (${code || 'no route'}).`, hop);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /keepalive|not connected|connection lost|socket closed|ended/i.test(message)) {
    return new SshError('closed', `The connection to ${hop} was closed (${code || message.slice(0, 80)}).`, hop);
  }
  if (/administratively prohibited|open failed/i.test(message)) {
    return new SshError('unreachable', `The jump host could not open a connection to ${hop} (${message.slice(0, 80)}).`, hop);
  }
  // Only the library's own short protocol text, never input we were given.
  return new SshError('protocol', `SSH error at ${hop}: ${message.split('\n')[0]!.slice(0, 160)}`, hop);
}

// What the UI shows while a host waits on a host key decision: the key offered
// and, for a changed key, the fingerprint known before, so the user compares
// old and new deliberately. The known one comes from the layer that decided
// (the pin, the console's accepted keys, or ~/.ssh/known_hosts).
import fs from 'node:fs';
import type { HostKeyPrompt } from '../../common/sshHosts.js';
import { entryMatchesHost, normaliseFingerprint, parseKnownHosts, sha256Fingerprint } from './knownHosts.js';
import { HostKeyChangedError, HostKeyUnknownError } from './sshErrors.js';

export type PendingHostKey = HostKeyUnknownError | HostKeyChangedError;

export function isPendingHostKey(err: unknown): err is PendingHostKey {
  return err instanceof HostKeyUnknownError || err instanceof HostKeyChangedError;
}

/** The fingerprint the files knew for host:port: the same key type first, else the first entry. */
export function knownFingerprint(files: readonly string[], host: string, port: number, keyType: string): string | undefined {
  const entries = files.flatMap((file) => {
    try {
      return parseKnownHosts(fs.readFileSync(file, 'utf8'), file).entries;
    } catch {
      return [];
    }
  });
  const forHost = entries.filter((e) => !e.marker && entryMatchesHost(e, host, port));
  const chosen = forHost.find((e) => e.keyType === keyType) ?? forHost[0];
  return chosen ? sha256Fingerprint(chosen.key) : undefined;
}

export interface HostKeyFiles {
  readonly consoleFile: string;
  readonly userFiles: readonly string[];
}

export function hostKeyPrompt(err: PendingHostKey, target: { host: string; port: number }, files: HostKeyFiles, pin?: string): HostKeyPrompt {
  const hop = `${err.host}:${err.port}`;
  const isTarget = err.host === target.host && err.port === target.port;
  if (err instanceof HostKeyUnknownError) {
    return { state: 'unknown', keyType: err.keyType, fingerprint: err.fingerprint, ...(isTarget ? {} : { hop }) };
  }
  let known: string | undefined;
  if (err.decidedBy === 'pin' && pin) known = normaliseFingerprint(pin);
  else if (err.decidedBy === 'console') known = knownFingerprint([files.consoleFile], err.host, err.port, err.keyType);
  else known = knownFingerprint(files.userFiles, err.host, err.port, err.keyType);
  return {
    state: 'changed',
    keyType: err.keyType,
    fingerprint: err.fingerprint,
    ...(known ? { knownFingerprint: known } : {}),
    ...(isTarget ? {} : { hop }),
    ...(err.decidedBy === 'pin' ? { pinned: true } : {}),
  };
}

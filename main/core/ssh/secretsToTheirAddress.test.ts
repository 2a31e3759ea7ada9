// A stored SSH password is sent only to the address it was stored for: Test
// with a host's name and another address, or an update that moves the host,
// must carry the password again, and a server of the caller's choosing
// receives nothing. And a key file the caller names cannot freeze or exhaust
// the console, nor tell whether a path exists. Real core and SSH feature;
// SSH servers that record every login attempt (ssh2's server side), trusted
// beforehand so a client gets as far as sending its password.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RpcError } from '../../common/contract.js';
import { startTestCore } from '../../testing/testCore.js';
import { startRecordingSshServer, type RecordingSshServer } from '../../testing/recordingSshServer.js';
import { makeTempDir, removeTempDir, waitFor } from '../../testing/sshServers.js';
import { createSshFeature } from './feature.js';
import { MAX_KEY_FILE_BYTES } from './sshConnection.js';

const SSH_REQUESTS = new Set(['hosts/add', 'hosts/update', 'hosts/remove', 'hosts/set-enabled', 'hosts/definition', 'hosts/test', 'hosts/accept-key', 'hosts/ssh-config', 'hosts/import']);
const STORED = 'the-stored-password-0123';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function recording(): Promise<RecordingSshServer> {
  const s = await startRecordingSshServer();
  cleanups.push(() => s.stop());
  return s;
}

async function startCore(trusted: RecordingSshServer[]) {
  const home = makeTempDir('secrets-home');
  cleanups.push(() => removeTempDir(home));
  return startTestCore(
    {
      prefix: 'ovl-sshsecrets-',
      prepare: (dataDir) => fs.writeFileSync(path.join(dataDir, 'known_hosts'), trusted.map((s) => s.knownHostsLine() + '\n').join('')),
      features: [createSshFeature({ home, env: {}, readyTimeoutMs: 5000, reconnect: { initialMs: 200, maxMs: 1000, userActionMs: 60_000, agentErrorMs: 60_000 } })],
      answers: (name) => SSH_REQUESTS.has(name),
    },
    cleanups,
  );
}

const draft = (server: RecordingSshServer, password?: string) => ({
  name: 'lab',
  host: server.host,
  port: server.port,
  user: 'ovl',
  auth: password === undefined ? { type: 'password' as const } : { type: 'password' as const, password },
  jump: [],
  tags: [],
});

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as RpcError);
const passwordsAt = (s: RecordingSshServer) => s.attempts.filter((a) => a.method === 'password').map((a) => a.password);

describe('a stored SSH password goes only to its own address', () => {
  it('Test with the host’s name and another port needs the password again; the other server receives nothing', async () => {
    const home = await recording();
    const elsewhere = await recording();
    const c = await startCore([home, elsewhere]);
    await c.call('hosts/add', draft(home, STORED));
    // The host's own server gets the stored password (it is where it was stored for).
    await waitFor('the stored password at its own server', () => passwordsAt(home).includes(STORED), 15_000);

    const refused = await failure(c.call('hosts/test', draft(elsewhere)));
    expect(refused?.code).toBe('invalid_input');
    expect(refused?.message).toMatch(/differs from ovl@127\.0\.0\.1:\d+, which lab's password was stored for.*enter it again/);
    const otherUser = await failure(c.call('hosts/test', { ...draft(home), user: 'root' }));
    expect(otherUser?.code).toBe('invalid_input');
    const viaJump = await failure(c.call('hosts/test', { ...draft(home), jump: [`ovl@127.0.0.1:${elsewhere.port}`] }));
    expect(viaJump?.code).toBe('invalid_input');
    expect(passwordsAt(elsewhere)).toEqual([]);

    // Typed again, the typed one is what goes there.
    const typed = await c.call('hosts/test', draft(elsewhere, 'typed-for-this-test'));
    expect(typed.ok).toBe(false);
    expect(passwordsAt(elsewhere)).toEqual(['typed-for-this-test']);
    expect(passwordsAt(elsewhere)).not.toContain(STORED);
  });

  it('an update that moves the host needs the password again; the new server never sees the stored one', async () => {
    const home = await recording();
    const elsewhere = await recording();
    const c = await startCore([home, elsewhere]);
    await c.call('hosts/add', draft(home, STORED));
    const moved = await failure(c.call('hosts/update', { hostId: 'lab', draft: draft(elsewhere) }));
    expect(moved?.code).toBe('invalid_input');
    expect(moved?.message).toMatch(/enter it again/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(passwordsAt(elsewhere)).toEqual([]);

    await c.call('hosts/update', { hostId: 'lab', draft: draft(elsewhere, 'typed-for-the-new-address') });
    await waitFor('the typed password at the new address', () => passwordsAt(elsewhere).includes('typed-for-the-new-address'), 15_000);
    expect(passwordsAt(elsewhere)).not.toContain(STORED);
    // An edit that keeps the address keeps the stored password.
    await c.call('hosts/update', { hostId: 'lab', draft: { ...draft(elsewhere), tags: ['x'] } });
  });
});

describe('key files', () => {
  it('says the same "cannot be used as a key file" for a missing path, a directory, an oversized file and a device; the reason only in the log', async () => {
    const c = await startCore([]);
    const dir = makeTempDir('keyfiles');
    cleanups.push(() => removeTempDir(dir));
    const big = path.join(dir, 'big');
    fs.writeFileSync(big, Buffer.alloc(MAX_KEY_FILE_BYTES + 1, 0x41));
    const server = await recording();
    const messages: string[] = [];
    for (const keyFile of [path.join(dir, 'missing'), dir, big, '/dev/zero', '/dev/null']) {
      const result = await c.call('hosts/test', { name: 'probe', host: server.host, port: server.port, user: 'ovl', auth: { type: 'key', keyFile }, jump: [], tags: [] });
      expect(result.ok).toBe(false);
      messages.push(result.error!.message.replace(keyFile, 'FILE'));
    }
    expect(new Set(messages).size).toBe(1);
    expect(messages[0]).toMatch(/^FILE cannot be used as a key file \(a readable regular file of at most 64 KiB holding a private key\)/);
    const log = c.log.lines.join('');
    expect(log).toMatch(/key file .*missing: cannot be read \(ENOENT\)/);
    expect(log).toMatch(/key file .*big: .*more than a private key's 65536/);
    expect(log).toMatch(/key file \/dev\/zero: not a regular file \(a character device\)/);
  });
});

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  HostKeyStore,
  checkHostKey,
  knownKeyTypes,
  createConsoleHostKeyStore,
  hashedHostField,
  keyTypeOfBlob,
  normaliseFingerprint,
  parseKnownHosts,
  patternListMatches,
  sha256Fingerprint,
  wildcardMatch,
} from './knownHosts.js';
import { makeTempDir, removeTempDir } from '../../testing/sshServers.js';
import { hostKeyPrompt, knownFingerprint } from './hostKeyReview.js';
import { HostKeyChangedError, HostKeyUnknownError } from './sshErrors.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const read = (name: string) => fs.readFileSync(path.join(fixtures, name), 'utf8');
const pub = (name: string) => {
  const [type, key] = read(`${name}.pub`).trim().split(/\s+/);
  return { type: type!, key: key! };
};

describe('parseKnownHosts', () => {
  it('reads plain, bracketed, negated and marked entries, and reports broken lines without failing', () => {
    const { entries, problems } = parseKnownHosts(read('openssh-9.2-plain-known_hosts'));
    expect(entries).toHaveLength(7);
    expect(entries[0]).toMatchObject({ patterns: ['app1.example.com', '10.0.0.5'], keyType: 'ssh-ed25519', line: 2 });
    expect(entries[5]).toMatchObject({ marker: 'revoked', patterns: ['*'] });
    expect(entries[6]).toMatchObject({ marker: 'cert-authority' });
    expect(problems).toEqual([expect.stringMatching(/^line 9: key does not decode/), expect.stringMatching(/^line 10: key is not base64/)]);
  });

  it('reads hashed entries written by ssh-keygen -H', () => {
    const { entries, problems } = parseKnownHosts(read('openssh-9.2-hashed-known_hosts'));
    expect(problems).toEqual([]);
    expect(entries).toHaveLength(2);
    expect(entries.every((e) => e.hashed && e.patterns.length === 0)).toBe(true);
  });
});

describe('parseKnownHosts: what a hand-edited file holds', () => {
  const a = () => pub('a');

  it('splits fields on any run of blanks, skips blank and comment lines, takes CRLF endings, and keeps a trailing comment out of the key', () => {
    const { type, key } = a();
    const text = `# comment\r\n\r\n   \t\r\n  web1.example.com\t ${type}   ${key} operator@laptop added 2024\r\nweb2,,web3, ${type} ${key}\r\n`;
    const { entries, problems } = parseKnownHosts(text, '/home/op/.ssh/known_hosts');
    expect(problems).toEqual([]);
    expect(entries).toEqual([
      { patterns: ['web1.example.com'], keyType: type, key, line: 4, source: '/home/op/.ssh/known_hosts' },
      { patterns: ['web2', 'web3'], keyType: type, key, line: 5, source: '/home/op/.ssh/known_hosts' },
    ]);
  });

  it('reports each line it cannot read, and why, and reads the others', () => {
    const { type, key } = a();
    const longType = `ssh-${'x'.repeat(60)}`;
    const text = [
      `@trusted web ${type} ${key}`,
      `web ${type}`,
      `|1|c2FsdA== ${type} ${key}`,
      `|1|${Buffer.alloc(20).toString('base64')}|${Buffer.alloc(19).toString('base64')} ${type} ${key}`,
      `|1|${Buffer.alloc(16).toString('base64')}|${Buffer.alloc(20).toString('base64')} ${type} ${key}`,
      `|2|abc|def ${type} ${key}`,
      `web ${longType} ${key}`,
      `ok.example.com ${type} ${key}`,
    ].join('\n');
    const { entries, problems } = parseKnownHosts(text);
    expect(problems).toEqual([
      'line 1: unknown marker @trusted',
      'line 2: expected "hosts keytype key", got 2 fields',
      'line 3: malformed hashed host name',
      'line 4: hashed host name has a 20-byte salt and 19-byte hash, expected 20 and 20',
      'line 5: hashed host name has a 16-byte salt and 20-byte hash, expected 20 and 20',
      'line 6: unsupported hashed host name format',
      `line 7: key does not decode to a ${longType.slice(0, 40)} key`,
    ]);
    expect(entries.map((e) => [e.line, e.patterns])).toEqual([[8, ['ok.example.com']]]);
  });
});

describe('checkHostKey', () => {
  const plain = parseKnownHosts(read('openssh-9.2-plain-known_hosts')).entries;
  const hashed = parseKnownHosts(read('openssh-9.2-hashed-known_hosts')).entries;
  const a = pub('a');
  const b = pub('b');
  const c = pub('c');
  const d = pub('d');
  const e = pub('e');

  it('matches hashed entries for port 22 and the [host]:port form', () => {
    expect(checkHostKey(hashed, 'web1.example.com', 22, a.type, a.key)).toBe('match');
    expect(checkHostKey(hashed, 'db.example.com', 2222, b.type, b.key)).toBe('match');
    // The port is part of the hashed name.
    expect(checkHostKey(hashed, 'db.example.com', 22, b.type, b.key)).toBe('unknown');
    expect(checkHostKey(hashed, 'web1.example.com', 22, b.type, b.key)).toBe('changed');
    expect(checkHostKey(hashed, 'web2.example.com', 22, a.type, a.key)).toBe('unknown');
  });

  it('matches comma lists, wildcards, negation and ports in plain entries', () => {
    expect(checkHostKey(plain, '10.0.0.5', 22, a.type, a.key)).toBe('match');
    expect(checkHostKey(plain, 'APP1.example.com', 22, a.type, a.key)).toBe('match');
    expect(checkHostKey(plain, 'x.lab.example.com', 22, c.type, c.key)).toBe('match');
    expect(checkHostKey(plain, 'secret.lab.example.com', 22, c.type, c.key)).toBe('unknown');
    expect(checkHostKey(plain, 'app2.example.com', 2200, b.type, b.key)).toBe('match');
    expect(checkHostKey(plain, 'app2.example.com', 22, b.type, b.key)).toBe('unknown');
  });

  it('accepts any of several keys listed for a host, and calls another key changed', () => {
    expect(checkHostKey(plain, 'app3.example.com', 22, b.type, b.key)).toBe('match');
    expect(checkHostKey(plain, 'app3.example.com', 22, e.type, e.key)).toBe('match');
    expect(checkHostKey(plain, 'app3.example.com', 22, a.type, a.key)).toBe('changed');
  });

  it('takes the presented key as a wire-format blob as well as base64', () => {
    expect(checkHostKey(plain, '10.0.0.5', 22, a.type, Buffer.from(a.key, 'base64'))).toBe('match');
    expect(checkHostKey(plain, 'anything.example.org', 22, d.type, Buffer.from(d.key, 'base64'))).toBe('revoked');
  });

  it('orders host key algorithms by the host\'s own lines only, not by a @revoked or @cert-authority line', () => {
    expect(knownKeyTypes(plain, 'app3.example.com', 22).sort()).toEqual([b.type, e.type].sort());
    // *.example.com is only a @cert-authority pattern, and "*" only a @revoked one.
    expect(knownKeyTypes(plain, 'new.example.com', 22)).toEqual([]);
  });

  it('honours @revoked for every host and never matches a @cert-authority key as a host key', () => {
    expect(checkHostKey(plain, 'anything.example.org', 22, d.type, d.key)).toBe('revoked');
    expect(checkHostKey(plain, 'new.example.com', 22, e.type, e.key)).toBe('unknown');
  });
});

describe('fingerprints and patterns', () => {
  it('formats SHA256 fingerprints exactly like ssh-keygen -l', () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      expect(sha256Fingerprint(pub(name).key)).toBe(read(`${name}.fingerprint`).trim());
    }
    expect(normaliseFingerprint(' sha256:abc= ')).toBe('SHA256:abc');
  });

  it('reads the key type from a wire-format blob', () => {
    expect(keyTypeOfBlob(Buffer.from(pub('a').key, 'base64'))).toBe('ssh-ed25519');
    expect(keyTypeOfBlob(Buffer.from(pub('e').key, 'base64'))).toBe('ecdsa-sha2-nistp256');
    expect(keyTypeOfBlob(Buffer.from([0, 0, 0]))).toBeUndefined();
    expect(keyTypeOfBlob(Buffer.from([0, 0, 1, 0, 65]))).toBeUndefined();
  });

  it('matches wildcards like OpenSSH match_pattern', () => {
    expect(wildcardMatch('*.example.com', 'a.b.example.com')).toBe(true);
    expect(wildcardMatch('web?', 'web1')).toBe(true);
    expect(wildcardMatch('web?', 'web10')).toBe(false);
    expect(wildcardMatch('*', '')).toBe(true);
    expect(wildcardMatch('a*b*c', 'aXbYbZc')).toBe(true);
    expect(wildcardMatch('a*b*c', 'aXbYbZ')).toBe(false);
    expect(patternListMatches(['*', '!bastion'], 'bastion')).toBe(false);
    expect(patternListMatches(['!bastion'], 'web')).toBe(false);
  });

  it('anchors a pattern at both ends: no implicit leading or trailing wildcard', () => {
    expect(wildcardMatch('ab', 'xb')).toBe(false);
    expect(wildcardMatch('web', 'xweb')).toBe(false);
    expect(wildcardMatch('web', 'web1')).toBe(false);
    expect(wildcardMatch('w*b', 'wxyb')).toBe(true);
  });

  it('prints the fingerprint of a wire-format blob, and reads a pin with any padding', () => {
    expect(sha256Fingerprint(Buffer.from(pub('a').key, 'base64'))).toBe(read('a.fingerprint').trim());
    expect(normaliseFingerprint('SHA256:abc==')).toBe('SHA256:abc');
  });

  it('reads a key type of up to 64 printable characters from a blob that holds it whole, and nothing else', () => {
    const blob = (type: Buffer, declared = type.length, rest = Buffer.alloc(0)) => {
      const head = Buffer.alloc(4);
      head.writeUInt32BE(declared);
      return Buffer.concat([head, type, rest]);
    };
    expect(keyTypeOfBlob(blob(Buffer.from('ssh-ed25519')))).toBe('ssh-ed25519');
    expect(keyTypeOfBlob(blob(Buffer.from('x'.repeat(64))))).toBe('x'.repeat(64));
    expect(keyTypeOfBlob(blob(Buffer.from('x'.repeat(65))))).toBeUndefined();
    expect(keyTypeOfBlob(blob(Buffer.from('ssh'), 11))).toBeUndefined(); // the blob ends inside its type
    expect(keyTypeOfBlob(blob(Buffer.from('\x01ssh-ed25519')))).toBeUndefined();
    expect(keyTypeOfBlob(blob(Buffer.from('ssh-ed25519 ')))).toBeUndefined();
  });

  it('hashes names as ssh-keygen -F finds them', () => {
    const dir = makeTempDir('kh-hash');
    try {
      const file = path.join(dir, 'known_hosts');
      fs.writeFileSync(file, `${hashedHostField('[h.example.com]:2022')} ${pub('a').type} ${pub('a').key}\n`);
      const out = execFileSync('ssh-keygen', ['-F', '[h.example.com]:2022', '-f', file], { encoding: 'utf8' });
      expect(out).toContain(pub('a').key);
    } finally {
      removeTempDir(dir);
    }
  });
});

describe('HostKeyStore', () => {
  it('writes accepted keys to its own file only, replaces them on a deliberate re-accept, and lets them override a stale user entry', () => {
    const dir = makeTempDir('kh-store');
    try {
      const userFile = path.join(dir, 'user_known_hosts');
      const consoleFile = path.join(dir, 'data', 'known_hosts');
      const a = pub('a');
      const b = pub('b');
      fs.writeFileSync(userFile, `srv.example.com ${a.type} ${a.key}\n`);
      const userBefore = fs.readFileSync(userFile, 'utf8');
      const store = new HostKeyStore({ consoleFile, userFiles: [userFile, path.join(dir, 'missing')] });

      expect(store.check('srv.example.com', 22, a.type, a.key)).toEqual({ result: 'match', decidedBy: 'user' });
      expect(store.check('srv.example.com', 22, b.type, b.key)).toEqual({ result: 'changed', decidedBy: 'user' });
      expect(store.check('other.example.com', 2200, b.type, b.key)).toEqual({ result: 'unknown', decidedBy: 'none' });

      store.accept('other.example.com', 2200, b.type, b.key);
      expect(store.check('other.example.com', 2200, b.type, b.key).result).toBe('match');

      // The user reviewed the change and accepted the new key for srv.
      store.accept('srv.example.com', 22, b.type, b.key);
      expect(store.check('srv.example.com', 22, b.type, b.key)).toEqual({ result: 'match', decidedBy: 'console' });
      expect(store.check('srv.example.com', 22, a.type, a.key)).toEqual({ result: 'changed', decidedBy: 'console' });
      store.accept('other.example.com', 2200, a.type, a.key);
      const consoleText = fs.readFileSync(consoleFile, 'utf8');
      expect(consoleText.match(/other\.example\.com/g)).toHaveLength(1);
      expect(consoleText).toContain(`srv.example.com ${b.type} ${b.key}`);
      expect(fs.readFileSync(userFile, 'utf8')).toBe(userBefore);
      expect(store.knownTypes('srv.example.com', 22)).toEqual([b.type]);

      expect(store.check('srv.example.com', 22, a.type, a.key, read('a.fingerprint'))).toEqual({ result: 'match', decidedBy: 'pin' });
      expect(store.check('srv.example.com', 22, a.type, a.key, read('b.fingerprint'))).toEqual({ result: 'changed', decidedBy: 'pin' });
      expect(() => store.accept('bad host', 22, a.type, a.key)).toThrow(/refusing/);
      expect(() => store.accept('h', 22, a.type, 'not base64!')).toThrow(/refusing/);
    } finally {
      removeTempDir(dir);
    }
  });
});

describe('HostKeyStore: revoked keys and layers', () => {
  const a = pub('a');
  const b = pub('b');
  const d = pub('d');
  const withDir = (fn: (dir: string) => void) => {
    const dir = makeTempDir('kh-layers');
    try {
      fn(dir);
    } finally {
      removeTempDir(dir);
    }
  };

  it('blocks a @revoked key from either file, over an accepted key and over a pin, and says which file revoked it', () => {
    withDir((dir) => {
      const userFile = path.join(dir, 'user');
      const consoleFile = path.join(dir, 'console');
      fs.writeFileSync(userFile, `@revoked * ${d.type} ${d.key}\n`);
      const store = new HostKeyStore({ consoleFile, userFiles: [userFile] });
      store.accept('srv', 22, d.type, d.key);
      expect(store.check('srv', 22, d.type, Buffer.from(d.key, 'base64'))).toEqual({ result: 'revoked', decidedBy: 'user' });
      expect(store.check('srv', 22, d.type, d.key, sha256Fingerprint(d.key))).toEqual({ result: 'revoked', decidedBy: 'user' });
      fs.appendFileSync(consoleFile, `@revoked * ${a.type} ${a.key}\n`);
      expect(store.check('srv', 22, a.type, a.key)).toEqual({ result: 'revoked', decidedBy: 'console' });
      // Another key of the host is not revoked by those lines.
      expect(store.check('srv', 22, b.type, b.key)).toEqual({ result: 'changed', decidedBy: 'console' });
    });
  });

  it('orders key types by the console file when it knows the host, else by the user files', () => {
    withDir((dir) => {
      const userFile = path.join(dir, 'user');
      fs.writeFileSync(userFile, `srv ${a.type} ${a.key}\n`);
      const store = new HostKeyStore({ consoleFile: path.join(dir, 'console'), userFiles: [userFile] });
      expect(store.consoleFile).toBe(path.join(dir, 'console'));
      expect(store.knownTypes('srv', 22)).toEqual([a.type]);
      store.accept('srv', 22, pub('e').type, Buffer.from(pub('e').key, 'base64'));
      expect(store.knownTypes('srv', 22)).toEqual([pub('e').type]);
      expect(store.check('srv', 22, pub('e').type, pub('e').key)).toEqual({ result: 'match', decidedBy: 'console' });
    });
  });

  it('works with no user files at all', () => {
    withDir((dir) => {
      const store = new HostKeyStore({ consoleFile: path.join(dir, 'console') });
      expect(store.check('srv', 22, a.type, a.key)).toEqual({ result: 'unknown', decidedBy: 'none' });
      expect(store.knownTypes('srv', 22)).toEqual([]);
    });
  });
});

describe('hostKeyPrompt: what the user compares before trusting a key', () => {
  const a = pub('a');
  const b = pub('b');
  const e = pub('e');
  const details = (host: string, port: number, key: { type: string; key: string }) => ({ host, port, keyType: key.type, key: key.key, fingerprint: sha256Fingerprint(key.key) });

  it('shows a new key with its fingerprint, and names the jump host when it is not the target', () => {
    const err = new HostKeyUnknownError(details('srv', 22, a));
    expect(hostKeyPrompt(err, { host: 'srv', port: 22 }, { consoleFile: '/nonexistent', userFiles: [] })).toEqual({ state: 'unknown', keyType: a.type, fingerprint: sha256Fingerprint(a.key) });
    expect(hostKeyPrompt(err, { host: 'target', port: 22 }, { consoleFile: '/nonexistent', userFiles: [] })).toEqual({ state: 'unknown', keyType: a.type, fingerprint: sha256Fingerprint(a.key), hop: 'srv:22' });
    expect(hostKeyPrompt(err, { host: 'srv', port: 2222 }, { consoleFile: '/nonexistent', userFiles: [] })).toMatchObject({ hop: 'srv:22' });
  });

  it('shows a changed key next to the fingerprint known before, from the layer that decided', () => {
    const dir = makeTempDir('kh-prompt');
    try {
      const consoleFile = path.join(dir, 'console');
      const userFile = path.join(dir, 'user');
      // The user file knows srv by an ecdsa and an ed25519 key, and by a revoked one.
      fs.writeFileSync(userFile, `@revoked srv ${b.type} ${b.key}\nother ${a.type} ${a.key}\nsrv ${e.type} ${e.key}\nsrv ${a.type} ${a.key}\n`);
      fs.writeFileSync(consoleFile, `srv ${e.type} ${e.key}\n`);
      const files = { consoleFile, userFiles: [path.join(dir, 'missing'), userFile] };
      const changed = (decidedBy: string) => new HostKeyChangedError({ ...details('srv', 22, b), revoked: false, decidedBy });
      // The same key type first: ed25519 against ed25519.
      expect(hostKeyPrompt(changed('user'), { host: 'srv', port: 22 }, files)).toEqual({ state: 'changed', keyType: b.type, fingerprint: sha256Fingerprint(b.key), knownFingerprint: sha256Fingerprint(a.key) });
      // Only an ecdsa key in the console file: that one.
      expect(hostKeyPrompt(changed('console'), { host: 'srv', port: 22 }, files)).toMatchObject({ knownFingerprint: sha256Fingerprint(e.key) });
      expect(hostKeyPrompt(changed('pin'), { host: 'srv', port: 22 }, files, ' sha256:abc= ')).toEqual({
        state: 'changed',
        keyType: b.type,
        fingerprint: sha256Fingerprint(b.key),
        knownFingerprint: 'SHA256:abc',
        pinned: true,
      });
      expect(knownFingerprint(files.userFiles, 'nobody', 22, a.type)).toBeUndefined();
      expect(hostKeyPrompt(new HostKeyChangedError({ ...details('nobody', 22, b), revoked: false, decidedBy: 'user' }), { host: 'srv', port: 22 }, files)).toEqual({
        state: 'changed',
        keyType: b.type,
        fingerprint: sha256Fingerprint(b.key),
        hop: 'nobody:22',
      });
    } finally {
      removeTempDir(dir);
    }
  });
});

describe('createConsoleHostKeyStore', () => {
  it('reads ~/.ssh/known_hosts and known_hosts2 and writes only <dataDir>/known_hosts', () => {
    const dir = makeTempDir('kh-console');
    try {
      const home = path.join(dir, 'home');
      const dataDir = path.join(dir, 'data');
      fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
      const a = pub('a');
      const b = pub('b');
      fs.writeFileSync(path.join(home, '.ssh', 'known_hosts2'), `old.example.com ${a.type} ${a.key}\n`);
      const store = createConsoleHostKeyStore(dataDir, home);
      expect(store.check('old.example.com', 22, a.type, a.key).result).toBe('match');
      store.accept('new.example.com', 22, b.type, b.key);
      expect(fs.readFileSync(path.join(dataDir, 'known_hosts'), 'utf8')).toContain(`new.example.com ${b.type} ${b.key}`);
      expect(fs.existsSync(path.join(home, '.ssh', 'known_hosts'))).toBe(false);
    } finally {
      removeTempDir(dir);
    }
  });
});

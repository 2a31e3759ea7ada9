import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  HostKeyStore,
  checkHostKey,
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

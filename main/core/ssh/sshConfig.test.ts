import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importableHosts, parseProxyJump, parseSshConfig, readUserSshConfig, resolveHost, splitConfigWords } from './sshConfig.js';
import { makeTempDir, removeTempDir } from '../../testing/sshServers.js';

const home = fileURLToPath(new URL('./fixtures/operator-home', import.meta.url));
const context = { home, localUser: 'me' };

describe('importing ~/.ssh/config', () => {
  const { hosts, notes } = readUserSshConfig(context);
  const byAlias = new Map(hosts.map((h) => [h.alias, h]));

  it('lists concrete Host names only, Include files first where the Include stands, in glob order', () => {
    expect(hosts.map((h) => h.alias)).toEqual(['lab-gpu', 'pi', 'bastion', 'web1', 'web2', 'db', 'legacy']);
  });

  it('applies the first value for each keyword, wildcard blocks as defaults', () => {
    expect(byAlias.get('bastion')).toMatchObject({
      hostName: 'bastion.example.com',
      user: 'ops',
      port: 2200,
      identityFiles: [path.join(home, '.ssh/id_bastion'), path.join(home, '.ssh/id_ed25519')],
      proxyJump: [],
    });
    expect(byAlias.get('lab-gpu')).toMatchObject({ hostName: '192.168.50.7', user: 'labber', port: 22, proxyJump: [] });
    expect(byAlias.get('pi')).toMatchObject({ hostName: 'raspberrypi.local', user: 'pi', identitiesOnly: true });
  });

  it('expands %h and %r in HostName and IdentityFile, and honours negated patterns', () => {
    expect(byAlias.get('web1')).toMatchObject({
      hostName: 'web1.internal.example.com',
      user: 'defaultuser',
      proxyJump: [{ host: 'bastion' }],
      identityFiles: [path.join(home, '.ssh/keys/defaultuser@web1.internal.example.com'), path.join(home, '.ssh/id_ed25519')],
    });
    // "Host !db *" excludes db: its user comes from its own block.
    expect(byAlias.get('db')).toMatchObject({
      hostName: '10.1.2.3',
      user: 'postgres admin',
      port: 5022,
      proxyJump: [{ user: 'ops', host: 'jump1.example.com', port: 2222 }, { host: 'jump2' }],
    });
  });

  it('notes what it does not honour: Match blocks, ProxyCommand', () => {
    expect(notes).toEqual([expect.stringMatching(/config:26: Match host \*\.corp exec test -f \/etc\/corp is not evaluated/)]);
    expect(byAlias.get('legacy')!.notes).toEqual([expect.stringMatching(/ProxyCommand is not supported/)]);
    // The Match block's User did not leak into the next hosts.
    expect(hosts.some((h) => h.user === 'corpuser')).toBe(false);
  });

  it('resolves a jump host through the same config', () => {
    const parsed = parseSshConfig(fs.readFileSync(path.join(home, '.ssh/config'), 'utf8'), context);
    expect(resolveHost(parsed, 'jump2', context)).toMatchObject({ hostName: 'jump2', user: 'defaultuser', port: 22 });
  });

  it('has no hosts and no error when there is no config', () => {
    expect(readUserSshConfig({ home: '/nonexistent-home', localUser: 'me' })).toEqual({ hosts: [], notes: [] });
  });

  it('stops an Include loop and reports an unreadable Include', () => {
    const dir = makeTempDir('sshcfg');
    try {
      fs.mkdirSync(path.join(dir, '.ssh'));
      fs.writeFileSync(path.join(dir, '.ssh/config'), 'Include config\nInclude missing.conf\nHost loop\n  Port 2\n');
      const parsed = parseSshConfig(fs.readFileSync(path.join(dir, '.ssh/config'), 'utf8'), { home: dir, localUser: 'me' });
      expect(parsed.notes.some((n) => /nested more than 16 deep/.test(n))).toBe(true);
      expect(parsed.notes.some((n) => /missing\.conf not readable/.test(n))).toBe(true);
      expect(importableHosts(parsed, { home: dir, localUser: 'me' }).map((h) => [h.alias, h.port])).toEqual([['loop', 2]]);
    } finally {
      removeTempDir(dir);
    }
  });
});

describe('config words and ProxyJump', () => {
  it('splits quoted words and drops trailing comments', () => {
    expect(splitConfigWords('"a b" c # comment')).toEqual(['a b', 'c']);
    expect(splitConfigWords('x "" y')).toEqual(['x', '', 'y']);
  });

  it('parses every ProxyJump hop form', () => {
    expect(parseProxyJump('none')).toEqual([]);
    expect(parseProxyJump('a')).toEqual([{ host: 'a' }]);
    expect(parseProxyJump('u@a:2200,b')).toEqual([{ user: 'u', host: 'a', port: 2200 }, { host: 'b' }]);
    expect(parseProxyJump('ssh://u@[2001:db8::1]:2222')).toEqual([{ user: 'u', host: '2001:db8::1', port: 2222 }]);
    expect(parseProxyJump('2001:db8::1')).toEqual([{ host: '2001:db8::1' }]);
    expect(() => parseProxyJump('a:99999')).toThrow(/invalid port/);
  });
});

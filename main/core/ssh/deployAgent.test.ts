// Agent deployment against real servers (ports 22210–22219): OpenSSH with
// SFTP, Dropbear with and without its sftp-server, and an OpenSSH whose forced
// command answers like macOS.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployAgent, agentRemotePath, type DeployableAgent } from './deployAgent.js';
import { HostKeyStore } from './knownHosts.js';
import { interpretUname, probeRemoteOs } from './remoteOs.js';
import { connectSsh, type SshConnection } from './sshConnection.js';
import { SshError } from './sshErrors.js';
import { authorizeInHome, unauthorizeInHome, ensureTestUser, makeKeyPair, makeTempDir, removeTempDir, startDropbear, startSshd, type KeyPair, type SshServer, type TestUser } from '../../testing/sshServers.js';

const OPENSSH_PORT = 22210;
const DROPBEAR_SFTP_PORT = 22211;
const DROPBEAR_BARE_PORT = 22212;
const FAKE_MAC_PORT = 22213;

const agentText = fs.readFileSync(fileURLToPath(new URL('../../../agent/overlook-agent.sh', import.meta.url)), 'utf8');

function agentOf(text: string, version: string | number): DeployableAgent {
  return { text, version, sha256: crypto.createHash('sha256').update(text).digest('hex') };
}

let dir: string;
let user: TestUser;
let key: KeyPair;
let hostKeys: HostKeyStore;
const servers: SshServer[] = [];

async function connect(server: SshServer): Promise<SshConnection> {
  return connectSsh({ target: { host: server.host, port: server.port, username: user.name, auth: { type: 'key', keyFile: key.privateKeyPath } }, hostKeys });
}

function remoteDir(): string {
  return `.cache/overlook-test-${crypto.randomBytes(4).toString('hex')}`;
}

function homeFile(rel: string): string {
  return path.join(user.home, rel);
}

beforeAll(async () => {
  dir = makeTempDir('deploy-test');
  user = await ensureTestUser('ovl-deploy');
  key = await makeKeyPair(dir, 'id');
  authorizeInHome(user, [key.publicKey]);
  servers.push(await startSshd({ port: OPENSSH_PORT, authorizedKeys: [key.publicKey] }));
  servers.push(await startDropbear({ port: DROPBEAR_SFTP_PORT, sftp: true }));
  servers.push(await startDropbear({ port: DROPBEAR_BARE_PORT, sftp: false }));
  servers.push(await startSshd({ port: FAKE_MAC_PORT, authorizedKeys: [key.publicKey], extraConfig: [`ForceCommand printf 'Darwin\\nx86_64\\n'`] }));
  const known = path.join(dir, 'known_hosts');
  fs.writeFileSync(known, servers.map((s) => s.knownHostsLine()).join('\n') + '\n');
  hostKeys = new HostKeyStore({ consoleFile: path.join(dir, 'console_known_hosts'), userFiles: [known] });
});

afterAll(async () => {
  if (user && key) unauthorizeInHome(user, [key.publicKey]);
  await Promise.allSettled(servers.map((s) => s.stop()));
  for (const entry of fs.existsSync(homeFile('.cache')) ? fs.readdirSync(homeFile('.cache')) : []) {
    if (entry.startsWith('overlook-test-')) fs.rmSync(homeFile(`.cache/${entry}`), { recursive: true, force: true });
  }
  if (dir) removeTempDir(dir);
});

describe('deployAgent', () => {
  it('uploads by SFTP to OpenSSH, verifies, skips when present, replaces tampered bytes, and re-deploys on a version change', async () => {
    const conn = await connect(servers[0]!);
    const target = remoteDir();
    try {
      const first = await deployAgent(conn, agentOf(agentText, 1), { dir: target });
      expect(first).toMatchObject({ uploaded: true, method: 'sftp', path: `${target}/agent-1.sh` });
      expect(fs.readFileSync(homeFile(first.path), 'utf8')).toBe(agentText);
      expect(fs.statSync(homeFile(first.path)).uid).toBe(user.uid);

      const again = await deployAgent(conn, agentOf(agentText, 1), { dir: target });
      expect(again).toMatchObject({ uploaded: false, method: 'already-present' });

      fs.writeFileSync(homeFile(first.path), agentText.slice(0, 100));
      const repaired = await deployAgent(conn, agentOf(agentText, 1), { dir: target });
      expect(repaired.uploaded).toBe(true);
      expect(fs.readFileSync(homeFile(first.path), 'utf8')).toBe(agentText);

      const next = agentText + '\n# v2\n';
      const upgraded = await deployAgent(conn, agentOf(next, 2), { dir: target });
      expect(upgraded).toMatchObject({ uploaded: true, path: `${target}/agent-2.sh` });
      expect(fs.readFileSync(homeFile(upgraded.path), 'utf8')).toBe(next);
    } finally {
      conn.close();
    }
  });

  it('uploads by exec (cat) when asked, with the same verification', async () => {
    const conn = await connect(servers[0]!);
    try {
      const result = await deployAgent(conn, agentOf(agentText, 1), { dir: remoteDir(), method: 'exec' });
      expect(result.method).toBe('exec');
      expect(fs.readFileSync(homeFile(result.path), 'utf8')).toBe(agentText);
    } finally {
      conn.close();
    }
  });

  it('uses SFTP on Dropbear with sftp-server, and the next channel survives the SFTP channel closing', async () => {
    // Several rounds: the read-back exec right after SFTP used to be killed by
    // the server's late close of the SFTP channel about one time in three.
    for (let round = 0; round < 6; round++) {
      const conn = await connect(servers[1]!);
      try {
        const result = await deployAgent(conn, agentOf(agentText, 1), { dir: remoteDir() });
        expect(result.method).toBe('sftp');
        expect(fs.readFileSync(homeFile(result.path), 'utf8')).toBe(agentText);
      } finally {
        conn.close();
      }
    }
  });

  it('falls back to cat over exec on Dropbear without sftp-server', async () => {
    const conn = await connect(servers[2]!);
    try {
      const result = await deployAgent(conn, agentOf(agentText, 1), { dir: remoteDir() });
      expect(result.method).toBe('exec');
      expect(result.sftpProblem).toMatch(/SFTP/);
      expect(fs.readFileSync(homeFile(result.path), 'utf8')).toBe(agentText);
      // And the agent it wrote runs there.
      const sample = await conn.run(`sh ${result.path} once`);
      expect(sample.stdout.toString()).toMatch(/^@@overlook-agent \d+ begin 1$/m);
    } finally {
      conn.close();
    }
  });

  it('refuses to deploy a script whose checksum does not match', async () => {
    const conn = await connect(servers[0]!);
    try {
      await expect(deployAgent(conn, { text: agentText, version: 1, sha256: '0'.repeat(64) }, { dir: remoteDir() })).rejects.toMatchObject({ kind: 'agent_error' });
    } finally {
      conn.close();
    }
  });

  it('rejects unsafe paths before they reach a shell', () => {
    expect(() => agentRemotePath(1, "x'; rm -rf ~; '")).toThrow(SshError);
    expect(() => agentRemotePath('1 2')).toThrow(SshError);
    expect(() => agentRemotePath(1, '../elsewhere')).toThrow(SshError);
    expect(agentRemotePath(7)).toBe('.cache/overlook/agent-7.sh');
  });
});

describe('remote OS', () => {
  it('recognises Linux on a real host and refuses a host that answers like macOS', async () => {
    const linux = await connect(servers[0]!);
    try {
      expect((await probeRemoteOs(linux)).kernel).toBe('Linux');
    } finally {
      linux.close();
    }
    const mac = await connect(servers[3]!);
    try {
      await expect(probeRemoteOs(mac)).rejects.toMatchObject({ kind: 'unsupported_os', message: expect.stringContaining('macOS') });
    } finally {
      mac.close();
    }
  });

  it('interprets uname output from other systems', () => {
    expect(interpretUname('FreeBSD\namd64\n', 0)).toEqual({ unsupported: expect.stringContaining('FreeBSD') });
    expect(interpretUname("'uname' is not recognized as an internal or external command,\r\n", 1)).toEqual({ unsupported: expect.stringContaining('Windows') });
    expect(interpretUname('MINGW64_NT-10.0\nx86_64\n', 0)).toEqual({ unsupported: expect.stringContaining('Windows') });
    expect(interpretUname('Linux\naarch64\n', 0)).toEqual({ kernel: 'Linux', arch: 'aarch64' });
    expect(interpretUname('', 127)).toEqual({ unsupported: expect.stringContaining('uname failed') });
  });
});

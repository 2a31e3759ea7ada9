// An SSH server that only listens and writes down what clients try to log in
// with (user, method, password), refusing every attempt: the listener a
// caller would point a stored secret at. ssh2's own server side, on loopback,
// with a fresh ed25519 host key; its known_hosts line lets a test trust it
// beforehand, so a client gets as far as authentication.
import net from 'node:net';
import ssh2 from 'ssh2';
import { knownHostsName } from '../core/ssh/knownHosts.js';

const { Server, utils } = ssh2;

export interface LoginAttempt {
  readonly user: string;
  readonly method: string;
  readonly password?: string;
}

export interface RecordingSshServer {
  readonly host: string;
  readonly port: number;
  readonly attempts: LoginAttempt[];
  knownHostsLine(): string;
  stop(): Promise<void>;
}

export async function startRecordingSshServer(): Promise<RecordingSshServer> {
  const { private: hostKey, public: publicKey } = utils.generateKeyPairSync('ed25519');
  const attempts: LoginAttempt[] = [];
  const server = new Server({ hostKeys: [hostKey] }, (client) => {
    client.on('authentication', (ctx) => {
      attempts.push({ user: ctx.username, method: ctx.method, ...(ctx.method === 'password' ? { password: ctx.password } : {}) });
      ctx.reject(['password', 'publickey']);
    });
    client.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  // "ssh-ed25519 AAAA… comment" → type and blob.
  const [type, blob] = publicKey.split(' ');
  return {
    host: '127.0.0.1',
    port,
    attempts,
    knownHostsLine: () => `${knownHostsName('127.0.0.1', port)} ${type} ${blob}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// For tests that start a listener of the console's on a port they must know
// beforehand (a CLI flag, a provisioning file): ask the kernel for a free
// loopback port and release it. Another process could take it in between;
// on a test machine that race is rare and shows up as a clear EADDRINUSE.
import net from 'node:net';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

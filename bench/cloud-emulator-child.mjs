// The cloud emulator for bench/cloud-cycle.mjs, in its own process so the
// console's CPU is measured apart from the cloud's. Its data clock is the
// bench's ({ now } messages), so a "minute later" costs no waiting and a
// slow cycle does not shift the next one's window; it reports its own CPU on
// { cpu: true }.
import { startEmulatedCloud } from '../dist-test/main/testing/emulatedAccounts.js';

const [provider, instances] = [process.argv[2], Number(process.argv[3] ?? 1000)];
let now = Number(process.argv[4] ?? Date.now());
const cloud = await startEmulatedCloud(provider, 'bench', { products: { ecs: instances }, withoutAgentEvery: 0, now: () => now });
process.on('message', (m) => {
  if (typeof m.now === 'number') now = m.now;
  if (m.cpu) {
    const u = process.cpuUsage();
    process.send({ cpuMs: (u.user + u.system) / 1000, byAction: cloud.emulator.stats.byAction, throttled: cloud.emulator.stats.throttled });
  }
  if (m.stop) void cloud.emulator.close().then(() => process.exit(0));
});
process.send({ account: cloud.account });

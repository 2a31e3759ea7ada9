// Busy-host stand-in for the benches: N sleeping processes (one `sleep` each,
// started by one sh in a process group of its own), so the agent reads as
// many /proc/PID/stat files as on a host with that many processes. Stopped by
// killing that group; the caller must call stop() (the benches do in finally).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';

export const processCount = () => readdirSync('/proc').filter((e) => /^\d+$/.test(e)).length;

/** Starts sleepers until about `total` processes run on the machine (none when there are already that many). */
export async function startSleepers(total) {
  const n = Math.max(0, total - processCount());
  if (n === 0) return { started: 0, stop: async () => {} };
  const group = spawn('sh', ['-c', `i=0; while [ $i -lt ${n} ]; do sleep 86400 & i=$((i+1)); done; wait`], { stdio: 'ignore', detached: true });
  for (let i = 0; i < 300 && processCount() < total - 5; i++) await new Promise((r) => setTimeout(r, 100));
  return {
    started: n,
    async stop() {
      try {
        process.kill(-group.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await new Promise((r) => (group.exitCode !== null || group.signalCode !== null ? r() : group.on('close', r)));
    },
  };
}

// A test process that dies with a dockerd running (a thrown error, an
// assertion that ends the worker) still leaves nothing behind: the harness's
// exit hook kills dockerd, its containerd and the containers by PID,
// unmounts what they mounted and removes their cgroups and the temp dir.
// The dying process runs the harness's TypeScript through the same loader
// the tests' worker threads use (scripts/workerTsLoader.mjs).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const harness = fileURLToPath(new URL('../../testing/containerEngines.ts', import.meta.url));
const tsLoader = new URL('../../../scripts/workerTsLoader.mjs', import.meta.url).href;

/** Running, not a zombie: the dead test process's children are reparented to init, which reaps them in its own time. */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('a test process that dies with a dockerd running', () => {
  it('leaves no dockerd, containerd, container, mount, cgroup or temp dir', () => {
    const script = `
      const { startTestDockerd } = await import(${JSON.stringify(pathToFileURL(harness).href)});
      const d = await startTestDockerd('crash');
      const id = (await d.docker('run', '-d', d.image, 'sleep', '3600')).trim();
      const pid = (await d.docker('inspect', '--format', '{{.State.Pid}}', id)).trim();
      console.log(JSON.stringify({ dir: d.dir, dockerd: d.pid, id, pid: Number(pid) }));
      process.exit(1);
    `;
    const run = spawnSync(process.execPath, ['--import', tsLoader, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(1);
    const made = JSON.parse(run.stdout.trim().split('\n').pop()!) as { dir: string; dockerd: number; id: string; pid: number };
    expect(made.id).toMatch(/^[0-9a-f]{64}$/);
    expect(alive(made.dockerd)).toBe(false);
    expect(alive(made.pid)).toBe(false);
    expect(fs.existsSync(made.dir)).toBe(false);
    expect(fs.readFileSync('/proc/self/mounts', 'utf8')).not.toContain(made.dir);
    const cgroups = fs.readdirSync('/sys/fs/cgroup').map((h) => path.join('/sys/fs/cgroup', h, 'docker', made.id));
    expect(cgroups.filter((c) => fs.existsSync(c))).toEqual([]);
    const processes = execFileSync('ps', ['-eo', 'stat=,args='], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => !l.trim().startsWith('Z'));
    expect(processes.filter((l) => l.includes(made.dir))).toEqual([]);
  });
});

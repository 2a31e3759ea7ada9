import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostObservation } from '../../model/observation.js';
import { createLocalAgentSource, runAgentOnce } from './localAgent.js';

/** Members of a process group that are still running (zombies are dead, only not yet reaped). */
function runningInGroup(pgid: number): string[] {
  const out = spawnSync('ps', ['-o', 'stat=,args=', '-g', String(pgid)], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('Z'));
}
function agentGroups(): Set<number> {
  // Process groups led by an agent we started: `ps` lists pgid and args.
  const out = spawnSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' }).stdout;
  const groups = new Set<number>();
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (m && m[1] === m[2] && /overlook-agent\.sh (stream|paced)/.test(m[3]!)) groups.add(Number(m[2]));
  }
  return groups;
}

describe('createLocalAgentSource', () => {
  it('goes online, emits observations, and stop() leaves nothing running', async () => {
    const before = agentGroups();
    const source = createLocalAgentSource({ intervalMs: 1000 });
    const statuses: string[] = [];
    const observations: HostObservation[] = [];
    const two = new Promise<void>((resolve) =>
      source.start({
        status: (s) => statuses.push(s),
        observation: (o) => {
          observations.push(o);
          if (observations.length === 2) resolve();
        },
      }),
    );
    await two;
    expect(statuses).toEqual(['connecting', 'online']);
    expect(observations[1]!.monotonicSeconds! - observations[0]!.monotonicSeconds!).toBeGreaterThanOrEqual(0.9);
    expect(observations[0]!.facts.cpus).toBe(os.cpus().length);
    const mine = [...agentGroups()].filter((g) => !before.has(g));
    expect(mine).toHaveLength(1);
    await source.stop();
    expect(runningInGroup(mine[0]!)).toEqual([]);
  });

  it('reports an unsupported OS and does not restart', async () => {
    const empty = mkdtempSync(join(os.tmpdir(), 'ovl-noproc-'));
    try {
      const source = createLocalAgentSource({ intervalMs: 1000, env: { PROC_ROOT: empty }, restartDelaysMs: [50] });
      const statuses: Array<[string, string | undefined]> = [];
      source.start({ status: (s, d) => statuses.push([s, d]), observation: () => {} });
      await new Promise((r) => setTimeout(r, 1000));
      await source.stop();
      expect(statuses).toEqual([
        ['connecting', undefined],
        ['unsupported_os', `unsupported os: Linux (no readable ${empty}/stat)`],
      ]);
    } finally {
      rmSync(empty, { recursive: true });
    }
  });

  it('reports garbage and a dead agent as agent_error and restarts it', async () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'ovl-badagent-'));
    try {
      const bad = join(dir, 'bad.sh');
      writeFileSync(bad, 'echo "this is not a frame"; echo "@@overlook-agent 1 begin 1"; exit 7\n');
      const source = createLocalAgentSource({ intervalMs: 1000, scriptPath: bad, restartDelaysMs: [100] });
      const statuses: Array<[string, string | undefined]> = [];
      source.start({ status: (s, d) => statuses.push([s, d]), observation: () => {} });
      await new Promise((r) => setTimeout(r, 700));
      await source.stop();
      expect(statuses[0]).toEqual(['connecting', undefined]);
      const details = statuses.slice(1).map(([s, d]) => `${s}: ${d}`);
      // What it printed is shown, not only that it was not a frame.
      expect(details).toContain('agent_error: unreadable agent output: output is not agent frames (1 line(s) outside any frame): first bytes "this is not a frame"');
      const exited = 'agent exited with code 7; it printed output that is not agent frames, starting "this is not a frame"';
      expect(details).toContain(`agent_error: ${exited}`);
      // It was restarted: the same errors came round more than once.
      expect(statuses.filter(([, d]) => d === exited).length).toBeGreaterThan(1);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('runAgentOnce', () => {
  it('returns two observations one interval apart', async () => {
    // The second request goes one interval after the agent is started; the
    // first sample waits for the agent's start-up probes, which a busy
    // machine stretches, so the interval is measured from the start.
    const startedAt = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const [a, b] = await runAgentOnce({ intervalMs: 1000 });
    expect(a.monotonicSeconds!).toBeGreaterThanOrEqual(startedAt);
    // /proc/uptime has 10 ms steps.
    expect(b.monotonicSeconds! - startedAt).toBeGreaterThanOrEqual(0.99);
    expect(b.monotonicSeconds!).toBeGreaterThan(a.monotonicSeconds!);
    expect(b.t).toBeGreaterThan(a.t);
  });

  it('rejects with the agent\'s reason on an unsupported OS', async () => {
    await expect(runAgentOnce({ intervalMs: 1000, env: { PROC_ROOT: '/nonexistent' } })).rejects.toThrow('unsupported os: Linux');
  });
});

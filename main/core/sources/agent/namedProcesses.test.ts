// Between full reads of every process the agent re-reads only the processes
// the console names ("top=PID,…"): run for real on this machine's /proc under
// dash, bash and busybox ash, and derived as the core derives them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadAgentScript } from './agentScript.js';
import { createBusiestTracker, topListWord } from './pacer.js';
import { createFrameSplitter } from '../../parse/frames.js';
import { parseAgentFrame } from '../../parse/agentFrame.js';
import { deriveObservation, type DeriveState } from '../../derive/observation.js';
import type { HostObservation } from '../../model/observation.js';

const script = loadAgentScript();
const SHELLS: ReadonlyArray<readonly [string, string[]]> = [
  ['dash', ['dash']],
  ['bash', ['bash']],
  ['busybox ash', ['busybox', 'ash']],
];

/** A paced agent driven one request line at a time. */
function pacedAgent(cmd: readonly string[]) {
  const child = spawn(cmd[0]!, [...cmd.slice(1), script.path, 'paced', '1'], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
  const splitter = createFrameSplitter();
  let waiting: ((obs: HostObservation) => void) | undefined;
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    for (const item of splitter.push(chunk)) {
      if (item.kind !== 'frame') continue;
      const result = parseAgentFrame(item.text, Date.now());
      if (result.kind !== 'observation') throw new Error(JSON.stringify(result));
      const w = waiting;
      waiting = undefined;
      w?.(result.observation);
    }
  });
  return {
    request(line: string): Promise<HostObservation> {
      return new Promise((resolve) => {
        waiting = resolve;
        child.stdin!.write(`${line}\n`);
      });
    },
    end() {
      child.stdin!.end();
    },
  };
}

const cpuSecondsOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(SHELLS)('processes between full reads, under %s', (_name, cmd) => {
  it('re-reads the named ones with their CPU share; new, exited and renamed processes; the busiest always shown', async () => {
    const started: ChildProcess[] = [];
    const start = (script: string) => {
      const c = spawn('sh', ['-c', script], { stdio: ['pipe', 'ignore', 'ignore'] });
      started.push(c);
      return c;
    };
    const agent = pacedAgent(cmd);
    try {
      const busy = start('while :; do :; done');
      const victim = start('exec sleep 1000');
      // Renames itself (its /proc/PID/comm) to each line it reads.
      const renamer = start('while read -r name; do printf %s "$name" > /proc/$$/comm; done');
      await sleep(300);
      let state: DeriveState | undefined;
      const derive = (obs: HostObservation) => {
        const d = deriveObservation(state, obs, 'here', { topProcesses: 20 });
        state = d.state;
        return d;
      };
      const busiest = createBusiestTracker();
      const obs1 = await agent.request('');
      derive(obs1);
      await sleep(500);
      const obs2 = await agent.request('');
      expect(obs2.processesOnly).toBeUndefined();
      derive(obs2);
      busiest.observe(obs2);
      // The console's choice includes the process that burns a core.
      expect(busiest.pids()).toContain(busy.pid);
      const named = [...new Set([...busiest.pids(), victim.pid!, renamer.pid!])];
      await sleep(500);

      // A sample between full reads: only the named pids, each with its CPU over its own interval.
      const obs3 = await agent.request(topListWord(named, '')!);
      expect([...obs3.processesOnly!].sort()).toEqual([...named].sort());
      expect(obs3.processes.every((p) => named.includes(p.pid))).toBe(true);
      const d3 = derive(obs3);
      const raw = (o: HostObservation, pid: number) => o.processes.find((p) => p.pid === pid)!;
      const share = (raw(obs3, busy.pid!).cpuSeconds - raw(obs2, busy.pid!).cpuSeconds) / (obs3.monotonicSeconds! - obs2.monotonicSeconds!);
      expect(share).toBeGreaterThan(0);
      expect(d3.processes.find((p) => p.pid === busy.pid)?.cpu).toBeCloseTo(share, 9);
      expect(d3.processes[0]!.cpu).toBeGreaterThan(0);
      // The busiest process is shown.
      expect(d3.processes.some((p) => p.pid === busy.pid)).toBe(true);

      // The victim exits, the renamer renames itself, a new busy process starts.
      const victimGone = new Promise((r) => victim.once('exit', r));
      victim.kill('SIGKILL');
      await victimGone;
      renamer.stdin!.write('after-rename\n');
      for (let i = 0; i < 50 && readFileSync(`/proc/${renamer.pid}/comm`, 'utf8').trim() !== 'after-rename'; i++) await sleep(20);
      const busy2 = start('while :; do :; done');
      await sleep(500);
      const obs4 = await agent.request('');
      expect(obs4.processesOnly).toBeDefined();
      const d4 = derive(obs4);
      expect(obs4.processes.some((p) => p.pid === victim.pid)).toBe(false);
      expect(d4.processes.some((p) => p.pid === victim.pid)).toBe(false);
      expect(raw(obs4, renamer.pid!).comm).toBe('after-rename');
      expect(d4.processes.find((p) => p.pid === busy.pid)?.cpu).toBeGreaterThan(0);

      // The next full read ("processes", or ~60 s of uptime) finds the new one, with its CPU since it started.
      const obs5 = await agent.request('processes');
      expect(obs5.processesOnly).toBeUndefined();
      const d5 = derive(obs5);
      expect(obs5.processes.length).toBeGreaterThan(named.length);
      expect(d5.processes.find((p) => p.pid === busy2.pid)?.cpu).toBeGreaterThan(0);
      const own = raw(obs5, busy.pid!).cpuSeconds;
      expect(own).toBeLessThanOrEqual(cpuSecondsOf(busy.pid!));
      busiest.observe(obs5);
      expect(busiest.pids()).toContain(busy2.pid);
      expect(busiest.pids()).not.toContain(victim.pid);
    } finally {
      agent.end();
      for (const c of started) c.kill('SIGKILL');
    }
  });
});

describe('topListWord', () => {
  it('sorts the pids, says nothing when the set is what the agent was told, and "top=" to clear', () => {
    expect(topListWord([30, 4, 30], '')).toBe('top=4,30');
    expect(topListWord([4, 30], 'top=4,30')).toBeUndefined();
    expect(topListWord([], '')).toBeUndefined();
    expect(topListWord([], 'top=4')).toBe('top=');
  });
});


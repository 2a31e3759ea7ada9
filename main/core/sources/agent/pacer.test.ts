import { describe, expect, it } from 'vitest';
import { agentIdleSeconds, createBusiestTracker, pacedAgentArgs, pacedAgentCommand, startAgentPacer } from './pacer.js';
import type { HostObservation } from '../../model/observation.js';

/** A hand-driven clock and timer queue. */
function fakeClock() {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void }> = [];
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      const t = { at: now + ms, fn };
      timers.push(t);
      return t;
    },
    clearTimer: (handle: unknown) => {
      const i = timers.indexOf(handle as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
    /** Runs the next timer `lateMs` after it was due. */
    fire(lateMs = 0) {
      timers.sort((a, b) => a.at - b.at);
      const t = timers.shift()!;
      now = t.at + lateMs;
      t.fn();
    },
    pending: () => timers.length,
  };
}

describe('startAgentPacer', () => {
  it('writes a request at once and then on a fixed schedule, skipping ticks it is too late for', () => {
    const clock = fakeClock();
    const writes: Array<[number, string]> = [];
    const pacer = startAgentPacer((line) => writes.push([clock.now(), line]), { intervalMs: 1000, ...clock });
    clock.fire(); // 1000
    clock.fire(30); // 2030: late, but the next stays at 3000
    clock.fire(); // 3000
    clock.fire(2500); // 6500: 4000..6000 missed, sent once; next at 7000
    clock.fire();
    expect(writes).toEqual([
      [0, '\n'],
      [1000, '\n'],
      [2030, '\n'],
      [3000, '\n'],
      [6500, '\n'],
      [7000, '\n'],
    ]);
    pacer.requestNow(true);
    expect(writes.at(-1)).toEqual([7000, 'processes\n']);
    pacer.stop();
    expect(clock.pending()).toBe(0);
    pacer.requestNow();
    expect(writes).toHaveLength(7);
  });

  it("tells the agent its containers' init pids only when the set changes, since the agent keeps it", () => {
    const clock = fakeClock();
    const writes: string[] = [];
    let words: string[] = ['net:42', 'net:7'];
    const pacer = startAgentPacer((line) => writes.push(line), { intervalMs: 1000, words: () => words, ...clock });
    clock.fire();
    words = ['processes', 'net:7', 'net:42'];
    clock.fire();
    words = ['net:7', 'net:9', 'net:x1'];
    clock.fire();
    words = [];
    clock.fire();
    clock.fire();
    pacer.requestNow(true);
    expect(writes).toEqual(['net=42,7\n', '\n', 'processes\n', 'net=7,9\n', 'net=\n', '\n', 'processes\n']);
    // A new agent process (a new pacer) starts with no list and is told it again.
    const fresh: string[] = [];
    startAgentPacer((line) => fresh.push(line), { intervalMs: 1000, words: () => ['net:42'], ...fakeClock() });
    expect(fresh).toEqual(['net=42\n']);
  });

  it('names the busiest processes to the agent only when the set changes, after the net list', () => {
    const clock = fakeClock();
    const writes: string[] = [];
    let pids: number[] = [];
    startAgentPacer((line) => writes.push(line), { intervalMs: 1000, words: () => ['net:5'], topPids: () => pids, ...clock });
    pids = [30, 4];
    clock.fire();
    clock.fire();
    pids = [4];
    clock.fire();
    pids = [];
    clock.fire();
    expect(writes).toEqual(['net=5\n', 'top=4,30\n', '\n', 'top=4\n', 'top=\n']);
  });

  it('chooses the busiest by CPU since the last full read and the largest by RSS, and keeps them between full reads', () => {
    const obs = (seconds: number, procs: Array<[number, number, number]>, only?: number[]): HostObservation => ({
      t: seconds * 1000,
      monotonicSeconds: seconds,
      series: [],
      facts: {},
      problems: [],
      processes: procs.map(([pid, cpuSeconds, rssBytes]) => ({ pid, comm: `p${pid}`, cpuSeconds, rssBytes, startTime: 0 })),
      ...(only ? { processesOnly: only } : {}),
    });
    const busiest = createBusiestTracker(1, 1);
    // At the first full read, by the average since start: 1 (50 s of 100) is busiest, 3 the largest.
    busiest.observe(obs(100, [[1, 50, 1], [2, 10, 2], [3, 0, 9]]));
    expect([...busiest.pids()].sort()).toEqual([1, 3]);
    // A read of the named ones only changes nothing.
    busiest.observe(obs(110, [[1, 50, 1]], [1, 3]));
    expect([...busiest.pids()].sort()).toEqual([1, 3]);
    // Next full read: 2 used 30 s since 100 s, 1 none.
    busiest.observe(obs(160, [[1, 50, 1], [2, 40, 2], [3, 0, 9]]));
    expect([...busiest.pids()].sort()).toEqual([2, 3]);
  });

  it('can wait one interval before the first request', () => {
    const clock = fakeClock();
    const writes: string[] = [];
    startAgentPacer((line) => writes.push(line), { intervalMs: 500, immediately: false, ...clock });
    expect(writes).toEqual([]);
    clock.fire();
    expect(writes).toEqual(['\n']);
  });
});

describe('pacedAgentArgs / pacedAgentCommand', () => {
  it('builds the arguments and a quoted exec command, and refuses a bad N', () => {
    expect(pacedAgentArgs()).toEqual(['paced', '3']);
    expect(pacedAgentArgs(1)).toEqual(['paced', '1']);
    expect(pacedAgentCommand("/home/o'neil/.overlook/agent.sh", 2)).toBe(`exec sh '/home/o'\\''neil/.overlook/agent.sh' paced 2`);
    expect(() => pacedAgentArgs(0)).toThrow('processEvery must be a whole number >= 1, got 0');
  });
  it('spells out LIMITS_EVERY when an idle limit follows it', () => {
    expect(pacedAgentArgs(3, 30)).toEqual(['paced', '3', '12', '30']);
    expect(pacedAgentCommand('a.sh', 3, {}, 40)).toBe(`exec sh 'a.sh' paced 3 12 40`);
    expect(() => pacedAgentArgs(3, 0)).toThrow('idleSeconds must be a whole number >= 1, got 0');
  });
  it('lets a remote agent give up after four silent intervals, never under 30 s', () => {
    expect(agentIdleSeconds(1000)).toBe(30);
    expect(agentIdleSeconds(5000)).toBe(30);
    expect(agentIdleSeconds(60_000)).toBe(240);
    expect(agentIdleSeconds(2500.5)).toBe(30);
  });
});

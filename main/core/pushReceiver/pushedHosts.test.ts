// A pushed host's life on the console's clock, without a network: it appears
// with its first whole scrape, is marked offline with the reason once nothing
// has been pushed for `offlineAfterMs`, and its next scrape brings it back.
// (Stale in between is the host registry's, as for every host; the real
// senders in realSenders.test.ts go through all of it end to end.)
import { describe, expect, it } from 'vitest';
import type { CoreContext } from '../coreContext.js';
import type { HostSource, SourceEvents } from '../model/hostSource.js';
import { wireLabels, type WireSeries } from '../prometheus/remoteWrite.js';
import { createMemoryLogger } from '../log.js';
import { PushedHosts } from './pushedHosts.js';

function fakeContext(clock: { now: number }, existing: Record<string, string> = {}) {
  const events: string[] = [];
  const hosts = new Map<string, { kind: string }>(Object.entries(existing).map(([id, kind]) => [id, { kind }]));
  const ctx = {
    now: () => clock.now,
    log: createMemoryLogger(),
    host: (id: string) => (hosts.has(id) ? { host: hosts.get(id) } : undefined),
    addHost(host: { id: string; kind: string }, source: HostSource) {
      hosts.set(host.id, host);
      events.push(`added ${host.id} (${host.kind})`);
      const sink: SourceEvents = {
        observation: (o) => events.push(`observation at ${o.t}`),
        status: (status, detail) => events.push(`${status}: ${detail ?? ''}`),
      } as SourceEvents;
      void source.start(sink);
    },
    async removeHost(id: string) {
      hosts.delete(id);
    },
  } as unknown as CoreContext;
  return { ctx, events };
}

const scrape = (t: number): WireSeries[] => [
  { labels: wireLabels('node_load1', { instance: 'web-1:9100', job: 'node' }), samples: [{ t, v: 0.5 }] },
  { labels: wireLabels('node_memory_MemTotal_bytes', { instance: 'web-1:9100', job: 'node' }), samples: [{ t, v: 8e9 }] },
];
const token = { token: 'x'.repeat(16) };

describe('pushed hosts', () => {
  it('appear with their first scrape, go offline after offline_after without a push, come back with the next, and go offline again', () => {
    const clock = { now: 1_700_000_000_000 };
    const { ctx, events } = fakeContext(clock);
    const pushed = new PushedHosts(ctx, { hostLabel: 'instance', allowedHosts: [], intervalMs: 2000, offlineAfterMs: 8000, maxSeriesPerHost: 100, maxHosts: 10, settleMs: 500 });
    const push = (t: number) => expect(pushed.accept(scrape(t), { token, remoteAddress: '127.0.0.1' })).toEqual({ ok: true });

    for (let i = 0; i < 3; i++) {
      push(clock.now);
      clock.now += 2000;
      pushed.flush(clock.now);
    }
    expect(events[0]).toBe('added web-1 (pushed)');
    expect(events.filter((e) => e.startsWith('observation'))).toHaveLength(3);

    // Silence: nothing until offline_after has passed, then offline once, with the reason.
    events.length = 0;
    for (let s = 0; s < 6; s++) {
      clock.now += 1000;
      pushed.flush(clock.now);
    }
    expect(events).toEqual([]);
    for (let s = 0; s < 6; s++) {
      clock.now += 1000;
      pushed.flush(clock.now);
    }
    expect(events).toEqual(['offline: nothing pushed for 9 s']);

    // The next scrape is an observation again (the registry then shows it online).
    events.length = 0;
    push(clock.now);
    clock.now += 2000;
    pushed.flush(clock.now);
    expect(events).toEqual([`observation at ${clock.now - 2000}`]);

    // And a second silence is reported again.
    events.length = 0;
    clock.now += 9000;
    pushed.flush(clock.now);
    expect(events).toEqual(['offline: nothing pushed for 11 s']);
  });

  it('only allowed names become hosts, a name another kind of host has is not taken, and a token’s prefix names its hosts', () => {
    const clock = { now: 1_700_000_000_000 };
    const { ctx, events } = fakeContext(clock, { 'db-1': 'ssh' });
    const pushed = new PushedHosts(ctx, { hostLabel: 'instance', allowedHosts: ['web-*', 'db-1'], intervalMs: 2000, offlineAfterMs: 8000, maxSeriesPerHost: 100, maxHosts: 10, settleMs: 0 });
    const of = (instance: string, t: number): WireSeries[] => [
      { labels: wireLabels('node_load1', { instance }), samples: [{ t, v: 1 }] },
      { labels: wireLabels('node_load5', { instance }), samples: [{ t, v: 1 }] },
    ];
    const series = [...of('web-1:9100', clock.now), ...of('db-1:9100', clock.now), ...of('mail-1:9100', clock.now), ...of('web-2:9100', clock.now)];
    expect(pushed.accept(series, { token, remoteAddress: '10.0.0.5' })).toEqual({ ok: true });
    expect(pushed.accept(of('web-1:9100', clock.now), { token: { token: 'y'.repeat(16), hostPrefix: 'dc2-' }, remoteAddress: '10.0.0.6' })).toEqual({ ok: true });
    clock.now += 1000;
    pushed.flush(clock.now);
    expect(events.filter((e) => e.startsWith('added')).sort()).toEqual(['added web-1 (pushed)', 'added web-2 (pushed)']);
    // db-1 is an SSH host's name and mail-1 is not allowed: their samples are counted as ignored; dc2-web-1 is not allowed either.
    expect(pushed.ignored).toBe(6);
  });
});

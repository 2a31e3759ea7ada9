// A realistic mix of agent series for the store benches, generated (seeded,
// mulberry32) the way derive.ts produces them from /proc: every host polls
// every 5 s with a few ms of scheduling jitter, and all series of a host share
// the poll's timestamp. Per 300-series host:
//   40 per-CPU mode ratios  (jiffy deltas / total jiffies: full-precision fractions)
//   60 active device rates  (counter delta / jittered interval: full-precision floats)
//   80 idle rates           (errors, drops, idle disks: 0, now and then a blip)
//   60 slow gauges          (memory and filesystem bytes: multiples of 4096)
//   40 constants            (sizes, boot time)
//   20 small gauges         (load with 2 decimals, temperatures with 1, process counts)
// The kinds are labelled so the benches can report bytes per kind.
export const KINDS = ['cpu_ratio', 'active_rate', 'idle_rate', 'slow_gauge', 'constant', 'small_gauge'];
const PER_300 = [40, 60, 80, 60, 40, 20];

export function makeRandom(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Series state for `hosts` hosts of `perHost` series; `next(poll)` yields each host's batch. */
export function makeFleet(hosts, perHost, seed = 42) {
  const random = makeRandom(seed);
  const fleet = [];
  for (let h = 0; h < hosts; h++) {
    const series = [];
    let i = 0;
    PER_300.forEach((count, kind) => {
      const n = Math.round((count * perHost) / 300);
      for (let k = 0; k < n && series.length < perHost; k++, i++) {
        series.push({
          name: `bench_${KINDS[kind]}`,
          labels: { host: `host-${h}`, idx: String(i) },
          kind,
          level: random(),
          counter: Math.floor(random() * 1e12),
          value: 0,
        });
      }
    });
    while (series.length < perHost) series.push({ name: 'bench_constant', labels: { host: `host-${h}`, idx: String(series.length) }, kind: 4, level: 1, value: 0 });
    fleet.push({ host: `host-${h}`, series, lastT: 0 });
  }
  return { fleet, random };
}

export function hostBatch({ random }, host, t) {
  const dt = host.lastT === 0 ? 5000 : t - host.lastT;
  host.lastT = t;
  const out = new Array(host.series.length);
  for (let i = 0; i < host.series.length; i++) {
    const s = host.series[i];
    let v;
    switch (s.kind) {
      case 0: {
        // ticks of one mode out of ~500 per 5 s (100 Hz), busy level drifting
        s.level = Math.min(1, Math.max(0, s.level + (random() - 0.5) * 0.05));
        const total = Math.round((dt / 10) * (0.99 + random() * 0.02));
        v = Math.round(s.level * total * (0.8 + random() * 0.4)) / total;
        break;
      }
      case 1: {
        const inc = Math.round(s.level * 1e6 * (0.5 + random()));
        s.counter += inc;
        v = inc / (dt / 1000);
        break;
      }
      case 2:
        v = random() < 0.01 ? 1 / (dt / 1000) : 0;
        break;
      case 3:
        s.value = s.value || Math.round(s.level * 1e6) * 4096;
        if (random() < 0.3) s.value += Math.round((random() - 0.5) * 200) * 4096;
        v = s.value;
        break;
      case 4:
        v = s.value || (s.value = Math.round(s.level * 1e7) * 4096);
        break;
      default:
        s.level = Math.max(0, s.level + (random() - 0.5) * 0.02);
        v = i % 3 === 0 ? Math.round(s.level * 400) / 100 : i % 3 === 1 ? Math.round(400 + s.level * 300) / 10 : Math.round(100 + s.level * 50);
    }
    out[i] = { name: s.name, labels: s.labels, t, v };
  }
  return out;
}

/** Poll time of a host: 5 s grid, hosts spread over the interval, ±15 ms jitter. */
export function pollTime(t0, poll, h, hosts, random) {
  return t0 + poll * 5000 + Math.floor((h * 5000) / hosts) + Math.round((random() - 0.5) * 30);
}

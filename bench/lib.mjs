// What the benches share: loading the product from its build, timing a call
// by its median, and the load average every printed figure carries (the
// machine is shared; a figure without its load cannot be compared).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const root = new URL('..', import.meta.url);

/** A module of the product's build (`dist/main/<rel>`), with the fix in the message when the build is missing. */
export function loadDist(rel) {
  return import(new URL(`dist/main/${rel}`, root).href).catch((err) => {
    throw new Error(`cannot load dist/main/${rel} (${err.message}); build first: npm run build`);
  });
}

/** The median wall time of `runs` calls of `fn` (awaited one after another), in ms. */
export async function medianMs(fn, runs = 15) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

/** The 1, 5 and 15 minute load averages, as /proc/loadavg gives them. */
export function loadAverage() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

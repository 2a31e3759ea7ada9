// The overview with a big fleet, in Chromium: time to first render of 500
// hosts, then frame times while every host delivers a sample every 2 s
// (250 live summary events a second through the real core, WebSocket and
// renderer), from the page's own requestAnimationFrame clock and Chromium's
// Long Tasks API. The hosts are fed through the core's public feature API
// (ctx.addHost with a synthetic source), like any source would.
// Needs a build (`npm run build`), then
//   node bench/overview-render.mjs [hosts=500] [seconds=10]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { createCore } from '../dist/main/core/createCore.js';
import { defaultFeatures } from '../dist/main/core/features.js';
import { createMemoryLogger } from '../dist/main/core/log.js';
import { createEncryptedFileSecretStore } from '../dist/main/core/secrets/encryptedFileSecretStore.js';
import { startHeadlessServer } from '../dist/main/headless/server.js';

const HOSTS = Number(process.argv[2] ?? 500);
const SECONDS = Number(process.argv[3] ?? 10);
const INTERVAL_MS = 2000;

/** A host that reports a plausible observation every interval: counters climb, gauges wobble. */
function syntheticSource(i) {
  let timer;
  let n = 0;
  const busy = 0.1 + ((i * 37) % 80) / 100;
  return {
    start(events) {
      const tick = () => {
        n++;
        const t = Date.now();
        const up = 1000 + n * (INTERVAL_MS / 1000);
        const series = [
          { name: 'node_cpu_seconds_total', labels: { cpu: '0', mode: 'user' }, value: up * busy * 0.8, kind: 'counter' },
          { name: 'node_cpu_seconds_total', labels: { cpu: '0', mode: 'system' }, value: up * busy * 0.2 + (n % 3) * 0.01, kind: 'counter' },
          { name: 'node_cpu_seconds_total', labels: { cpu: '0', mode: 'idle' }, value: up * (1 - busy), kind: 'counter' },
          { name: 'node_load1', labels: {}, value: busy * 2 + (n % 5) / 10, kind: 'gauge' },
          { name: 'node_load5', labels: {}, value: busy * 2, kind: 'gauge' },
          { name: 'node_load15', labels: {}, value: busy * 2, kind: 'gauge' },
          { name: 'node_memory_MemTotal_bytes', labels: {}, value: 8 * 2 ** 30, kind: 'gauge' },
          { name: 'node_memory_MemAvailable_bytes', labels: {}, value: (4 + (n % 7) / 10) * 2 ** 30, kind: 'gauge' },
          { name: 'node_filesystem_size_bytes', labels: { mountpoint: '/', device: '/dev/sda1', fstype: 'ext4' }, value: 100 * 2 ** 30, kind: 'gauge' },
          { name: 'node_filesystem_avail_bytes', labels: { mountpoint: '/', device: '/dev/sda1', fstype: 'ext4' }, value: (40 + (i % 50)) * 2 ** 30, kind: 'gauge' },
          { name: 'node_filesystem_free_bytes', labels: { mountpoint: '/', device: '/dev/sda1', fstype: 'ext4' }, value: (40 + (i % 50)) * 2 ** 30, kind: 'gauge' },
          { name: 'node_network_receive_bytes_total', labels: { device: 'eth0' }, value: n * 1e6 * (1 + (i % 9)), kind: 'counter' },
          { name: 'node_network_transmit_bytes_total', labels: { device: 'eth0' }, value: n * 3e5 * (1 + (i % 5)), kind: 'counter' },
        ];
        events.observation({ t, monotonicSeconds: up, series, processes: [], facts: { hostname: `bench-${i}`, cpus: 1 }, problems: [] });
      };
      // Spread the hosts over the interval, as real pollers drift apart.
      timer = setTimeout(function first() {
        tick();
        timer = setInterval(tick, INTERVAL_MS);
      }, (i * INTERVAL_MS) / HOSTS);
    },
    async stop() {
      clearTimeout(timer);
      clearInterval(timer);
    },
  };
}

const fleetFeature = (ctx) => ({
  name: 'bench-fleet',
  start() {
    for (let i = 0; i < HOSTS; i++) {
      const id = `bench-${String(i).padStart(3, '0')}`;
      ctx.addHost({ id, name: id, kind: 'ssh', pollIntervalMs: INTERVAL_MS, tags: [`rack-${i % 10}`], provisioned: true }, syntheticSource(i));
    }
  },
});

const dataDir = mkdtempSync(join(tmpdir(), 'overlook-bench-overview-'));
const log = createMemoryLogger();
const core = createCore({ dataDir, shell: 'headless', secrets: createEncryptedFileSecretStore(dataDir), log, version: 'bench', features: [...defaultFeatures(), fleetFeature] });
await core.start();
const server = await startHeadlessServer({ core, log, host: '127.0.0.1', port: 0, rendererDir: join(import.meta.dirname, '..', 'dist', 'renderer') });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  // Let every host report twice so summaries exist.
  await new Promise((r) => setTimeout(r, 2 * INTERVAL_MS + 500));
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript(() => localStorage.setItem('overlook.overview', JSON.stringify({ state: { view: 'table' }, version: 1 })));
  const t0 = Date.now();
  await page.goto(server.url);
  await page.waitForFunction((n) => document.querySelector('[data-testid="overview-count"]')?.textContent?.includes(String(n)), HOSTS + 1);
  await page.waitForSelector('[data-testid="fleet-row"]');
  const firstRenderMs = Date.now() - t0;
  const nav = await page.evaluate(() => {
    const paint = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint');
    return { fcp: paint?.startTime ?? null };
  });
  const rows = await page.locator('[data-testid="fleet-row"]').count();

  const frames = await page.evaluate(async (seconds) => {
    const deltas = [];
    const longTasks = [];
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push(e.duration);
    });
    obs.observe({ type: 'longtask', buffered: false });
    let last = performance.now();
    const end = last + seconds * 1000;
    await new Promise((resolve) => {
      const step = (now) => {
        deltas.push(now - last);
        last = now;
        if (now < end) requestAnimationFrame(step);
        else resolve();
      };
      requestAnimationFrame(step);
    });
    obs.disconnect();
    // Scroll through the list too: the windowing must keep up.
    return { deltas, longTasks };
  }, SECONDS);
  const scroll = await page.evaluate(async () => {
    const el = document.querySelector('[data-testid="fleet-body"]');
    const deltas = [];
    let last = performance.now();
    for (let i = 0; i < 120; i++) {
      el.scrollTop += 120;
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      deltas.push(now - last);
      last = now;
    }
    return deltas;
  });

  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    return { n: s.length, median: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1] };
  };
  const f = stats(frames.deltas);
  const sc = stats(scroll);
  const fmt = (x) => x.toFixed(1);
  console.log(`hosts: ${HOSTS}, each sampling every ${INTERVAL_MS / 1000} s (${HOSTS / (INTERVAL_MS / 1000)} summaries/s); rows in the DOM: ${rows}`);
  console.log(`time to first render (navigation → ${HOSTS + 1} hosts listed): ${firstRenderMs} ms; first contentful paint ${nav.fcp?.toFixed(0)} ms`);
  console.log(`frame time while live (${SECONDS} s, ${f.n} frames): median ${fmt(f.median)} ms, p95 ${fmt(f.p95)} ms, p99 ${fmt(f.p99)} ms, max ${fmt(f.max)} ms`);
  console.log(`long tasks (>50 ms) while live: ${frames.longTasks.length}${frames.longTasks.length ? `, longest ${fmt(Math.max(...frames.longTasks))} ms` : ''}`);
  console.log(`frame time while scrolling (${sc.n} frames): median ${fmt(sc.median)} ms, p95 ${fmt(sc.p95)} ms, max ${fmt(sc.max)} ms`);
} finally {
  await browser.close();
  await server.close();
  await core.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

// Console cost: CPU and RSS of the headless console (`overlook serve`) while a
// browser shows the local host's detail screen (live 15 min range), sampled
// from /proc/<pid>/stat and /proc/<pid>/status. Prints figures, asserts nothing.
//   node bench/console-cost.mjs [seconds=180]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const seconds = Number(process.argv[2] ?? 180);
const root = fileURLToPath(new URL('..', import.meta.url));
const TICKS = 100; // USER_HZ; getconf CLK_TCK is 100 on Linux x86/arm

function cpuSeconds(pid) {
  // Fields after the ")" of comm: utime is field 14, stime 15 (proc(5)).
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS;
}
function rssBytes(pid) {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) * 1024 : NaN;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-bench-'));
const child = spawn(process.execPath, [path.join(root, 'scripts/overlook.js'), 'serve', '--port', '0', '--data', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
child.stdout.on('data', (d) => (out += d));
const url = await new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error('no URL')), 30_000);
  child.stdout.on('data', () => {
    const m = out.match(/http:\/\/\S+token=\S+/);
    if (m) (clearTimeout(t), resolve(m[0]));
  });
});

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
await page.goto(url);
await page.getByTestId('host-card').first().click();
await page.getByTestId('host-detail').waitFor();

// Warm-up: let the first samples, rollups and the page settle.
await new Promise((r) => setTimeout(r, 15_000));
const cpu0 = cpuSeconds(child.pid);
const t0 = performance.now();
const rss = [];
const end = Date.now() + seconds * 1000;
while (Date.now() < end) {
  await new Promise((r) => setTimeout(r, 5000));
  rss.push(rssBytes(child.pid));
}
const wall = (performance.now() - t0) / 1000;
const cpu = cpuSeconds(child.pid) - cpu0;
await browser.close();
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
fs.rmSync(dataDir, { recursive: true, force: true });

const mib = (b) => (b / 1024 / 1024).toFixed(1);
console.log(`headless console showing the local host's detail screen for ${wall.toFixed(0)} s (5 s poll interval)`);
console.log(`  CPU: ${((cpu / wall) * 100).toFixed(2)} % of one core (${(cpu * 1000).toFixed(0)} ms CPU)`);
console.log(`  RSS: first ${mib(rss[0])} MiB, last ${mib(rss.at(-1))} MiB, max ${mib(Math.max(...rss))} MiB`);

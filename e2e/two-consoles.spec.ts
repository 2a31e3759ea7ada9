// Two consoles sharing one engine, end to end: console A polls two real SSH
// hosts (OpenSSH sshd, each in its own network namespace, started with the
// SSH layer's harness) and remote-writes to a real VictoriaMetrics; console B
// polls no hosts and reads its history from that VictoriaMetrics' PromQL API.
// In Chromium, B shows A's hosts on its overview, a host's chart with A's
// data, Top-K over them, and — with a week of older history imported into the
// engine through its /api/v1/import — the 7-day range picked in the header
// with the mouse draws that week; the screens say where history comes from.
// Needs root (ip netns, useradd), as in CI.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { fromDist, fromTestSupport, screenshotPath, startConsole, type RunningConsole, loadSshHarness, type SshHarness } from './console.js';
import type { NetnsHost, SshServer } from '../main/testing/sshServers.js';
import { languageCheck } from './languageCheck.js';

declare const localStorage: { setItem(key: string, value: string): void };

interface RunningEngine {
  url: string;
  remove(): Promise<void>;
}

// Namespaces ovl-ssh76 / ovl-ssh77 (10.200.76.2, 10.200.77.2) and these ports are used by no other test.
const HOSTS = [
  { name: 'team-web', netns: 76, port: 22376 },
  { name: 'team-db', netns: 77, port: 22377 },
] as const;
const DAY = 86_400_000;
const SEED_STEP_MS = 5 * 60_000;
/** The seeded week stops this long before the test starts, so what A writes live is apart from it. */
const SEED_GAP_MS = 30 * 60_000;

let harness: SshHarness;
let dir: string | undefined;
const namespaces: NetnsHost[] = [];
const servers: SshServer[] = [];
let vm: RunningEngine | undefined;
let consoleA: RunningConsole | undefined;
let consoleB: RunningConsole | undefined;

/** A week of 5-minute history for a host, in VictoriaMetrics' JSON-lines import format, with the labels A writes. */
function seededWeek(host: string, level: number, end: number): string {
  const timestamps: number[] = [];
  for (let t = end - 7 * DAY; t <= end; t += SEED_STEP_MS) timestamps.push(t);
  // A daily swing, so the week is visibly a week on the chart.
  const wave = (t: number, amplitude: number) => amplitude * Math.sin((2 * Math.PI * (t % DAY)) / DAY);
  const line = (metric: Record<string, string>, value: (t: number) => number) =>
    JSON.stringify({ metric, values: timestamps.map((t) => Number(value(t).toFixed(4))), timestamps });
  return [
    line({ __name__: 'host:cpu_mode:ratio', host, mode: 'user' }, (t) => level + wave(t, 0.1)),
    line({ __name__: 'host:cpu_mode:ratio', host, mode: 'system' }, (t) => level / 4 + wave(t, 0.02)),
    line({ __name__: 'host:cpu_usage:ratio', host }, (t) => level * 1.25 + wave(t, 0.12)),
    line({ __name__: 'node_load1', host }, (t) => 1 + wave(t, 0.5)),
  ].join('\n');
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  harness = await loadSshHarness();
  const { sha256Fingerprint } = await fromDist<{ sha256Fingerprint(blob: string): string }>('core/ssh/knownHosts.js');
  const engines = await fromTestSupport<{ startVictoriaMetrics: () => Promise<RunningEngine> }>('engines.js');
  const user = await harness.ensureTestUser();
  dir = harness.makeTempDir('e2e-two-consoles');
  const key = await harness.makeKeyPair(dir, 'id_ed25519');
  const hostEntries: string[] = [];
  for (const h of HOSTS) {
    const ns = await harness.createNetnsHost(h.netns);
    namespaces.push(ns);
    const server = await harness.startSshd({ port: h.port, listenAddress: ns.address, netns: ns.name, authorizedKeys: [key.publicKey] });
    servers.push(server);
    hostEntries.push(
      `  - name: ${h.name}`,
      `    address: ${user.name}@${ns.address}:${h.port}`,
      `    key_file: ${key.privateKeyPath}`,
      `    host_key: ${sha256Fingerprint(server.hostKey().blob)}`,
      `    interval: 1s`,
    );
  }
  vm = await engines.startVictoriaMetrics();

  // The week before: imported straight into the engine, as an older console would have written it.
  const seedEnd = Date.now() - SEED_GAP_MS;
  const body = HOSTS.map((h, i) => seededWeek(h.name, 0.3 + 0.2 * i, seedEnd)).join('\n');
  const imported = await fetch(`${vm.url}/api/v1/import`, { method: 'POST', body });
  expect(imported.status, await imported.text()).toBe(204);

  const fileA = path.join(dir, 'console-a.yaml');
  fs.writeFileSync(fileA, ['version: 1', 'settings:', '  poll_interval: 1s', 'remote_write:', `  - { name: team-vm, url: "${vm.url}/api/v1/write" }`, 'hosts:', ...hostEntries, ''].join('\n'));
  const fileB = path.join(dir, 'console-b.yaml');
  fs.writeFileSync(fileB, ['version: 1', 'history:', '  backend: promql', `  url: ${vm.url}`, ''].join('\n'));
  consoleA = await startConsole({ args: ['--config', fileA] });
  consoleB = await startConsole({ args: ['--config', fileB] });
});

test.afterAll(async () => {
  // Each step runs even when an earlier one (or the test) failed.
  await consoleB?.stop().catch(() => undefined);
  await consoleA?.stop().catch(() => undefined);
  for (const s of servers) await s.stop().catch(() => undefined);
  for (const ns of namespaces) await ns.remove().catch(() => undefined);
  await vm?.remove().catch(() => undefined);
  if (dir) harness.removeTempDir(dir);
});

test("a console with no hosts shows the hosts another console writes to the engine: overview, charts, Top-K and a week's range", async ({ page, request }) => {
  test.setTimeout(180_000);
  // A's hosts reach the engine (A polls them over SSH and writes each second).
  for (const h of HOSTS) {
    await expect
      .poll(
        async () => {
          const res = await request.get(`${vm!.url}/api/v1/query?query=${encodeURIComponent(`count_over_time(host:cpu_usage:ratio{host="${h.name}"}[2m])`)}`);
          return Number((await res.json()).data?.result?.[0]?.value?.[1] ?? 0);
        },
        { message: `${h.name} written by console A`, timeout: 60_000 },
      )
      .toBeGreaterThan(3);
  }

  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(consoleB!.url);
  await page.evaluate(() => localStorage.setItem('overlook.prefs', JSON.stringify({ state: { theme: 'system', lang: 'en', range: '15m' }, version: 1 })));
  await page.reload();
  await expect(page.getByTestId('overview')).toBeVisible();

  // The overview lists A's hosts (B watches none of them), with their last values from the engine.
  for (const h of HOSTS) {
    const card = page.locator(`[data-testid="host-card"][data-host-id="${h.name}"]`);
    await expect(card, h.name).toBeVisible({ timeout: 60_000 });
    await expect(card).toContainText('%');
    // Not polled here: "Not configured", read from the engine — not a red "Offline".
    await expect(card).toHaveAttribute('data-status', 'not_configured');
    await expect(card).toContainText('Read from the engine; another console writes it');
  }
  // …and says where that history comes from.
  const where = page.getByTestId('history-from');
  await expect(where).toHaveAttribute('data-backend', 'promql');
  await expect(where).toContainText(new URL(vm!.url).host);
  await page.screenshot({ path: screenshotPath('two-consoles-overview-light'), fullPage: true });

  // A host's detail: its CPU chart drawn from A's samples in the engine, no error.
  const host = HOSTS[0].name;
  await page.locator(`[data-testid="host-card"][data-host-id="${host}"]`).click();
  await expect(page.getByTestId('host-detail')).toHaveAttribute('data-host-id', host);
  await expect(page.getByTestId('history-from')).toContainText(new URL(vm!.url).host);
  // Not polled here, and said to be written to the engine by another console (not "no source watches it any more").
  await expect(page.getByTestId('host-detail')).toContainText('another console writes it');
  const cpu = page.getByTestId('chart-cpu-mode');
  await expect.poll(async () => Number(await cpu.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(3);
  await expect(cpu.locator('.error-text')).toHaveCount(0);
  const livePoints = Number(await cpu.getAttribute('data-points'));

  // Top-K ranks A's hosts.
  await page.getByTestId('nav-topk').click();
  await page.getByTestId('topk-metric').selectOption('host:cpu_usage:ratio');
  for (const h of HOSTS) await expect(page.locator(`[data-testid="topk-row"][data-host-id="${h.name}"]`), h.name).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('history-from')).toBeVisible();
  await page.screenshot({ path: screenshotPath('two-consoles-topk-light'), fullPage: true });

  // Back to the host, and a week picked in the header with the mouse: the
  // chart draws the imported week (a point per bucket across it, not only the
  // last minutes A wrote) with no error.
  await page.locator(`[data-testid="topk-row"][data-host-id="${host}"]`).getByTestId('topk-link').click();
  await expect(page.getByTestId('host-detail')).toHaveAttribute('data-host-id', host);
  const week = page.getByTestId('range-7d');
  const box = (await week.boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await expect(week).toHaveAttribute('aria-pressed', 'true');
  await expect(page).toHaveURL(/range=7d/);
  await expect.poll(async () => Number(await cpu.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(Math.max(200, livePoints * 5));
  await expect(cpu.locator('.error-text')).toHaveCount(0);
  await expect(cpu.getByText('No data')).toHaveCount(0);
  // The x axis spans days: its ticks are dates, not the times of one day.
  const ticks = await cpu.locator('svg text').allTextContents();
  const days = new Set(ticks.map((tick) => tick.match(/^(\d{1,2}\/\d{1,2}),/)?.[1]).filter(Boolean));
  expect(days.size, ticks.join(' | ')).toBeGreaterThan(2);
  await cpu.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: screenshotPath('two-consoles-host-7d-light'), fullPage: true });

  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: screenshotPath('two-consoles-host-7d-dark'), fullPage: true });
  await page.getByTestId('lang-toggle').click();
  await expect(page.getByTestId('history-from')).toContainText('引擎');
  await (await languageCheck()).expectNoEnglish(page, 'host detail with history from an engine');
  await page.screenshot({ path: screenshotPath('two-consoles-host-7d-dark-zh-CN'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.locator('a.brand').click();
  await expect(page.locator(`[data-testid="host-card"][data-host-id="${host}"]`)).toBeVisible();
  await page.screenshot({ path: screenshotPath('two-consoles-overview-light-zh-CN'), fullPage: true });
});

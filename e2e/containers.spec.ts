// Containers on the local host, from a real dockerd (the containers test
// harness, loaded from the build: its own roots and socket, cgroupfs, no
// bridge or iptables) that `overlook serve --engine-socket` asks for names:
// the host's containers table sorts and filters, limits show as bars or "no
// limit", a paused, an exited, an OOM-killing and a Kubernetes-labelled
// container show as such; a container's detail draws its charts; the
// overview counts them; Top-K ranks them and clicks through; both languages,
// both themes.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { repoRoot, screenshotPath, startConsole, type RunningConsole, fromTestSupport } from './console.js';
import { languageCheck, type LanguageCheck } from './languageCheck.js';

declare const window: { location: { hash: string } };
declare const localStorage: { setItem(key: string, value: string): void };

interface TestDockerd {
  readonly socket: string;
  readonly image: string;
  docker(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

let dockerd: TestDockerd;
let console_: RunningConsole;
let lang: LanguageCheck;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  lang = await languageCheck();
  const harness = await fromTestSupport<{ startTestDockerd(name: string): Promise<TestDockerd>; kubernetesLabelArgs(pod: string, namespace: string, container: string): string[] }>(
    'containerEngines.js',
  );
  dockerd = await harness.startTestDockerd('e2e');
  const d = dockerd;
  await d.docker('run', '-d', '--name', 'web-frontend', '--label', 'com.docker.compose.project=shop', '-m', '256m', '--cpus', '0.2', d.image, 'sh', '-c', 'while :; do :; done');
  await d.docker('run', '-d', '--name', 'cache', '-m', '64m', d.image, 'sleep', '3600');
  await d.docker('run', '-d', '--name', 'worker', d.image, 'sleep', '3600');
  await d.docker('run', '-d', '--name', 'backup', d.image, 'sleep', '3600');
  await d.docker('pause', 'backup');
  await d.docker('run', '--name', 'migrate', d.image, 'true');
  await d.docker('run', '-d', '--name', 'leaky', '-m', '16m', '--memory-swap', '16m', d.image, 'sh', '-c', 'while :; do dd if=/dev/zero of=/dev/null bs=32M count=1 2>/dev/null; sleep 2; done');
  await d.docker('run', '-d', '--name', 'k8s_api_api-7d9f_prod_0', ...harness.kubernetesLabelArgs('api-7d9f', 'prod', 'api'), '-m', '128m', d.image, 'sleep', '3600');
  console_ = await startConsole({ args: ['--engine-socket', d.socket] });
});

test.afterAll(async () => {
  await console_?.stop();
  await dockerd?.stop();
});

async function open(page: Page, hash: string, prefs: { lang?: 'en' | 'zh-CN'; theme?: 'light' | 'dark' } = {}) {
  await page.goto(console_.url);
  await page.evaluate(
    ({ lang, theme }) => localStorage.setItem('overlook.prefs', JSON.stringify({ state: { theme, lang, range: '15m' }, version: 1 })),
    { lang: prefs.lang ?? 'en', theme: prefs.theme ?? 'light' },
  );
  await page.evaluate((h) => (window.location.hash = h), hash);
  await page.reload();
}

const row = (page: Page, name: string) => page.locator(`[data-testid="container-row"][data-name="${name}"]`);

// The local agent sees every container cgroup on the machine: on a developer's
// laptop with Docker running, theirs are listed too (by id: this test's engine
// does not know them). This engine's own all run its image, so a filter on it
// leaves only them where the order matters.
const OURS = 'ovl/busybox';
/** What beforeAll runs on this engine (6 running or paused, migrate exited). */
const OUR_NAMES = ['web-frontend', 'cache', 'worker', 'backup', 'migrate', 'leaky', 'k8s_api_api-7d9f_prod_0'];

test('the host lists its containers: states, limits against usage, OOM kills, Kubernetes names; sorts and filters', async ({ page }) => {
  await open(page, '#/hosts/local');
  const table = page.getByTestId('containers-table');
  await expect(table).toBeVisible({ timeout: 30_000 });
  await expect(row(page, 'web-frontend')).toHaveAttribute('data-state', 'running');
  await expect(row(page, 'backup')).toHaveAttribute('data-state', 'paused');
  // Exited ones are hidden until asked for.
  await expect(row(page, 'migrate')).toHaveCount(0);
  await page.getByTestId('containers-show-stopped').check();
  await expect(row(page, 'migrate')).toHaveAttribute('data-state', 'exited');
  await expect(page.getByTestId('containers-counts')).toContainText('Docker via its socket');
  // A limit is shown against usage; no limit says so, not a huge number.
  await expect(row(page, 'cache').getByTestId('container-memory-limit')).toHaveText('/ 64.0 MiB');
  await expect(row(page, 'worker').getByTestId('container-memory-limit')).toHaveText('no limit');
  await expect(row(page, 'k8s_api_api-7d9f_prod_0')).toContainText('prod/api-7d9f');
  await expect(row(page, 'leaky').getByTestId('container-oom')).toBeVisible({ timeout: 30_000 });
  // CPU needs two samples: the spinner, held to 0.2 cores, sorts first by CPU.
  await expect(row(page, 'web-frontend')).toContainText('throttled', { timeout: 30_000 });
  await page.getByTestId('containers-filter').fill(OURS);
  await expect(page.getByTestId('container-row')).toHaveCount(OUR_NAMES.length);
  await page.getByTestId('containers-sort-cpu').click();
  await page.getByTestId('containers-sort-cpu').click();
  await expect(page.getByTestId('container-row').first()).toHaveAttribute('data-name', 'web-frontend');
  await page.getByTestId('containers').screenshot({ path: screenshotPath('containers-host-table') });
  await page.getByTestId('containers-sort-name').click();
  await expect(page.getByTestId('container-row').first()).toHaveAttribute('data-name', 'backup');
  await page.getByTestId('containers-filter').fill('prod');
  await expect(page.getByTestId('container-row')).toHaveCount(1);
  await expect(page.getByTestId('container-row')).toHaveAttribute('data-name', 'k8s_api_api-7d9f_prod_0');
  await page.getByTestId('containers-filter').fill('');
  await page.screenshot({ path: screenshotPath('containers-host-en-light'), fullPage: true });
});

test('a container’s detail: what it is, its limits, and its charts filling in', async ({ page }) => {
  await open(page, '#/hosts/local');
  await expect(row(page, 'web-frontend')).toBeVisible({ timeout: 30_000 });
  await row(page, 'web-frontend').getByTestId('container-link').click();
  await expect(page.getByTestId('container-detail')).toHaveAttribute('data-container', 'web-frontend');
  await expect(page.getByTestId('container-detail')).toContainText('ovl/busybox');
  await expect(page.getByTestId('container-labels')).toContainText('com.docker.compose.project');
  await expect.poll(async () => Number(await page.getByTestId('chart-container-cpu').getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(1);
  await expect.poll(async () => Number(await page.getByTestId('chart-container-memory').getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(1);
  await page.screenshot({ path: screenshotPath('containers-detail-en-light'), fullPage: true });
  await page.getByTestId('container-back').click();
  await expect(page.getByTestId('host-detail')).toBeVisible();
});

test('the overview counts running containers of the total; Top-K ranks containers and opens one', async ({ page }) => {
  // Running includes paused: 6 of this engine's 7 (migrate exited), plus
  // whatever else runs on this machine, counted from the host's own table.
  await open(page, '#/hosts/local');
  await page.getByTestId('containers-show-stopped').check();
  await expect(row(page, 'migrate')).toBeVisible({ timeout: 30_000 });
  const notOurs = OUR_NAMES.map((n) => `:not([data-name="${n}"])`).join('');
  const otherTotal = await page.locator(`[data-testid="container-row"]${notOurs}`).count();
  // As the overview counts: running, paused and restarting are "running".
  const otherRunning = await page.locator(['running', 'paused', 'restarting'].map((st) => `[data-testid="container-row"][data-state="${st}"]${notOurs}`).join(', ')).count();
  await open(page, '#/');
  await expect(page.getByTestId('host-card-containers')).toContainText(`${6 + otherRunning} running of ${7 + otherTotal}`, { timeout: 30_000 });
  await page.screenshot({ path: screenshotPath('containers-overview-cards') });
  await page.getByTestId('view-table').click();
  const local = page.locator('[data-testid="fleet-row"][data-host-id="local"]');
  await expect(local.locator('.fleet-cell--containers')).toHaveText(`${6 + otherRunning} / ${7 + otherTotal}`);
  await page.screenshot({ path: screenshotPath('containers-overview') });

  await page.evaluate(() => (window.location.hash = '#/topk'));
  await page.getByTestId('topk-kind').selectOption('container');
  await page.getByTestId('range-15m').click();
  // One CPU unit: the metric says what its percent means, as the containers table shows it (100 % = one core).
  await expect(page.getByTestId('topk-metric').locator('option:checked')).toHaveText('CPU (100 % = one core)');
  // The spinner ranks first among this engine's containers (another busy one on the machine may rank above it).
  const spinner = page.getByTestId('topk-row').filter({ hasText: 'web-frontend' });
  await expect(spinner).toHaveCount(1, { timeout: 30_000 });
  if (otherTotal === 0) await expect(page.getByTestId('topk-row').first()).toContainText('web-frontend');
  await page.screenshot({ path: screenshotPath('containers-topk') });
  await spinner.getByTestId('topk-link').click();
  await expect(page.getByTestId('container-detail')).toHaveAttribute('data-container', 'web-frontend');

  // The command palette knows the containers too.
  await page.evaluate(() => (window.location.hash = '#/'));
  await page.keyboard.press('Control+k');
  await page.keyboard.type('migrate');
  await expect(page.getByTestId('palette-item').first()).toContainText('migrate');
  await expect(page.getByTestId('palette-item').first()).toContainText('Container on local');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('container-detail')).toHaveAttribute('data-container', 'migrate');
});

test('Chinese and dark: the containers table and a container’s detail are translated', async ({ page }) => {
  for (const theme of ['light', 'dark'] as const) {
    await open(page, '#/hosts/local', { lang: 'zh-CN', theme });
    await expect(page.getByTestId('containers-table')).toBeVisible({ timeout: 30_000 });
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await lang.expectNoEnglish(page, `host with containers (${theme})`);
    await page.getByTestId('containers').screenshot({ path: screenshotPath(`containers-host-table-zh-CN-${theme}`) });
    await open(page, '#/hosts/local/containers/api?namespace=prod&pod=api-7d9f', { lang: 'zh-CN', theme });
    await expect(page.getByTestId('container-detail')).toContainText('prod/api-7d9f', { timeout: 30_000 });
    await expect.poll(async () => Number(await page.getByTestId('chart-container-memory').getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(1);
    await lang.expectNoEnglish(page, `container detail (${theme})`);
    await page.screenshot({ path: screenshotPath(`containers-detail-zh-CN-${theme}`), fullPage: true });
  }
  await open(page, '#/hosts/local', { lang: 'en', theme: 'dark' });
  await expect(page.getByTestId('containers-table')).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: screenshotPath('containers-host-en-dark'), fullPage: true });
});

// Cloud accounts end to end: three emulated clouds (the real SDKs talk to
// them; they check every signature) behind a real `overlook serve`. Two
// accounts come from the provisioning file with keys from the environment,
// one is added in the dialog (a wrong secret first: "credentials rejected"),
// and their instances show on the overview, the clouds screen, an account's
// screen with its API figures, an instance's charts and Top-K; both
// languages, both themes; the keys never reach the page or its WebSocket.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { repoRoot, screenshotPath, startConsole, type RunningConsole, fromTestSupport } from './console.js';
import { languageCheck, type LanguageCheck } from './languageCheck.js';

declare const window: { location: { hash: string } };
declare const localStorage: { setItem(key: string, value: string): void; removeItem(key: string): void };

// The collector's test kit, loaded from the build (main/core/cloud/collector/testClouds.ts).
interface EmulatedCloud {
  emulator: {
    endpoint: string;
    stats: { byAction: Record<string, number> };
    faults: { deny(action: string): void };
    fleet: { rename(region: string, id: string, name: string): void };
    close(): Promise<void>;
  };
  account: { accessKeyId: string; accessKeySecret: string; endpoint?: string; projectIds?: Record<string, string> };
}
interface TestClouds {
  startEmulatedCloud(provider: string, name: string, options: Record<string, unknown>): Promise<EmulatedCloud>;
}

let aliyun: EmulatedCloud;
let tencent: EmulatedCloud;
let huawei: EmulatedCloud;
let console_: RunningConsole;
let configDir: string | undefined;
let language: LanguageCheck;
const frames: string[] = [];

// One console for the whole story: the Tencent account the first test adds is on every later screen.
test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  language = await languageCheck();
  const kit = await fromTestSupport<TestClouds>('emulatedAccounts.js');
  aliyun = await kit.startEmulatedCloud('aliyun', 'ali', { products: { ecs: 40, slb: 3, rds: 2 }, qps: 200 });
  tencent = await kit.startEmulatedCloud('tencent', 'tc', { products: { ecs: 24, slb: 2, rds: 2 }, qps: 200 });
  huawei = await kit.startEmulatedCloud('huawei', 'hw', { products: { ecs: 12, slb: 1, rds: 1 }, regions: ['cn-north-4', 'cn-east-3'], qps: 200 });
  // Names as operators write them, set in the "console" of the cloud before the first discovery:
  // a long CJK name with emoji, an empty one (the id shows), a short mixed one.
  aliyun.emulator.fleet.rename('cn-hangzhou', 'i-bp1emu000000', `订单服务-主库-杭州可用区H-生产环境-请勿重启-🧾🧾🧾-${'很长的名字'.repeat(20)}`);
  aliyun.emulator.fleet.rename('cn-hangzhou', 'i-bp1emu000001', '');
  aliyun.emulator.fleet.rename('cn-hangzhou', 'i-bp1emu000002', 'web 🚀 前端');
  // The Huawei key may read Cloud Eye but not list servers (an IAM user with CES rights only).
  huawei.emulator.faults.deny('ListServersDetails');
  const projects = Object.entries(huawei.account.projectIds!).map(([r, p]) => `${r}: ${p}`).join(', ');
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-e2e-clouds-'));
  const file = path.join(configDir, 'overlook.yaml');
  fs.writeFileSync(
        file,
        [
          'clouds:',
          '  - name: prod-aliyun',
          '    provider: aliyun',
          '    regions: [cn-hangzhou]',
          '    access_key_id_env: E2E_ALI_ID',
          '    access_key_secret_env: E2E_ALI_SECRET',
          `    endpoint: ${aliyun.emulator.endpoint}`,
          '  - name: hw-beijing',
          '    provider: huawei',
          '    regions: [cn-north-4, cn-east-3]',
          '    access_key_id_env: E2E_HW_AK',
          '    access_key_secret_env: E2E_HW_SK',
          `    project_ids: { ${projects} }`,
          `    endpoint: ${huawei.emulator.endpoint}`,
          '    limits: { ListMetrics: { rate: 50, burst: 10 } }',
          '',
        ].join('\n'),
      );
  console_ = await startConsole({
    args: ['--config', file],
    env: { E2E_ALI_ID: aliyun.account.accessKeyId, E2E_ALI_SECRET: aliyun.account.accessKeySecret, E2E_HW_AK: huawei.account.accessKeyId, E2E_HW_SK: huawei.account.accessKeySecret },
  });
});

test.afterAll(async () => {
  await console_?.stop();
  await Promise.all([aliyun, tencent, huawei].map((c) => c?.emulator.close()));
  if (configDir) fs.rmSync(configDir, { recursive: true, force: true });
});

async function open(page: Page, hash: string, prefs: { lang?: 'en' | 'zh-CN'; theme?: 'light' | 'dark' } = {}) {
  page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  await page.goto(console_.url);
  await page.evaluate((p) => {
    localStorage.setItem('overlook.prefs', JSON.stringify({ state: { theme: p.theme ?? 'light', lang: p.lang ?? 'en', range: '1h' }, version: 1 }));
    // A filter typed by an earlier test stays in the overview's preferences; start clean.
    localStorage.removeItem('overlook.overview');
  }, prefs);
  await page.evaluate((h) => (window.location.hash = h), hash);
  await page.reload();
}

test('add a Tencent account in the dialog: a wrong secret is "credentials rejected", the right one finds its instances', async ({ page }) => {
  await open(page, '#/clouds');
  await expect(page.getByTestId('cloud-account')).toHaveCount(2, { timeout: 30_000 });
  await page.getByTestId('cloud-add').click();
  const dialog = page.getByTestId('cloud-form');
  // The radio is visually hidden inside its segment: a person clicks the segment.
  await dialog.locator('label', { has: page.getByTestId('cloud-form-provider-tencent') }).click();
  await expect(page.getByTestId('cloud-form-provider-tencent')).toBeChecked();
  await expect(dialog.getByText('SecretId', { exact: true })).toBeVisible();
  await page.getByTestId('cloud-form-name').fill('gz prod');
  await page.getByTestId('cloud-form-regions').click();
  await expect(page.getByTestId('cloud-form-error-name')).toBeVisible();
  await page.getByTestId('cloud-form-name').fill('gz-prod');
  await page.getByTestId('cloud-form-regions').fill('ap-guangzhou');
  await page.getByTestId('cloud-form-accessKeyId').fill(tencent.account.accessKeyId);
  await page.getByTestId('cloud-form-accessKeySecret').fill('a-wrong-secret-for-tencent');
  await page.getByTestId('cloud-form-advanced').click();
  await page.getByTestId('cloud-form-endpoint').fill(tencent.emulator.endpoint);
  await page.getByTestId('cloud-form-test').click();
  const report = page.getByTestId('cloud-test-report');
  await expect(report).toHaveAttribute('data-ok', 'false');
  await expect(report).toContainText('credentials rejected: AuthFailure.SignatureFailure');
  await dialog.screenshot({ path: screenshotPath('clouds-add-dialog-rejected') });

  await page.getByTestId('cloud-form-accessKeySecret').fill(tencent.account.accessKeySecret);
  await page.getByTestId('cloud-form-test').click();
  await expect(report).toHaveAttribute('data-ok', 'true');
  await expect(report).toContainText('24 Virtual machines');
  await page.getByTestId('cloud-form-save').click();
  await expect(dialog).toHaveCount(0);
  const card = page.locator('[data-testid="cloud-account"][data-account="gz-prod"]');
  await expect(card).toHaveAttribute('data-state', 'idle', { timeout: 30_000 });
  await expect(card.getByTestId('cloud-last-cycle')).toContainText('calls');
  await expect(page.locator('[data-testid="cloud-account"][data-account="hw-beijing"]')).toHaveAttribute('data-state', 'idle', { timeout: 60_000 });
  await page.screenshot({ path: screenshotPath('clouds-accounts-light'), fullPage: true });
});

test('the overview lists every cloud instance beside the hosts, and a row opens the instance with live charts', async ({ page }) => {
  await open(page, '#/');
  const section = page.getByTestId('cloud-fleet');
  // 45 + 28 + 2 × 14 instances across the three accounts.
  await expect(page.getByTestId('cloud-fleet-count')).toHaveText('101 instances in 3 accounts', { timeout: 60_000 });
  await expect(section.getByTestId('cloud-fleet-table')).toBeVisible();
  await page.getByTestId('fleet-filter').fill('rm-bp1emu');
  await expect(section.getByTestId('cloud-row')).toHaveCount(2);
  await page.getByTestId('fleet-filter').fill('');
  await section.getByTestId('cloud-sort-cpu').click();
  const top = section.getByTestId('cloud-row').first();
  await expect(top.locator('.cloud-cell--cpu')).toContainText('%');
  await page.screenshot({ path: screenshotPath('clouds-overview-light'), fullPage: true });

  await page.getByTestId('fleet-filter').fill('app-ap-guangzhou-003');
  await section.getByTestId('cloud-row').first().click();
  await expect(page.getByTestId('cloud-instance')).toHaveAttribute('data-instance', 'ins-emu000002');
  const cpu = page.getByTestId('chart-cloud:cloud_cpu_utilization_ratio');
  await expect.poll(async () => Number(await cpu.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(5);
  await expect(page.getByTestId('chart-cloud:cloud_network_receive_bytes_per_second')).toBeVisible();
  await page.screenshot({ path: screenshotPath('clouds-instance-light'), fullPage: true });

});

test('an account’s screen shows its collector, its APIs against their quotas, and its instances', async ({ page }) => {
  await open(page, '#/clouds/prod-aliyun', { theme: 'dark' });
  const screen = page.getByTestId('cloud-account-screen');
  await expect(screen).toBeVisible({ timeout: 30_000 });
  // The cycle's data calls beside the fewest its batches allow ("+N discovery" too when that
  // cycle began with a discovery, which runs every 10 minutes); the last discovery's own calls
  // stay on show beside when it ran, whichever cycle the screen opens after.
  await expect(page.getByTestId('cloud-stat-calls')).toContainText(/minimum \d+/);
  await expect(page.getByTestId('cloud-stat-discovery')).toContainText(/API calls: [1-9]\d*/);
  const list = page.locator('[data-api="DescribeMetricList"]');
  await expect(list).toContainText('40/s, burst 10');
  await expect(list).toContainText('quota 50/s');
  await expect.poll(async () => Number((await list.getByTestId('cloud-api-calls').textContent())?.replace(/,/g, '')), { timeout: 30_000 }).toBeGreaterThan(0);
  expect(aliyun.emulator.stats.byAction.DescribeMetricList).toBeGreaterThan(0);
  await expect(page.getByTestId('cloud-account-instances').getByTestId('cloud-row').first()).toBeVisible();
  await page.getByTestId('cloud-product').selectOption('rds');
  await expect(page.getByTestId('cloud-account-instances').getByTestId('cloud-row')).toHaveCount(2);
  await page.getByTestId('cloud-product').selectOption('');
  // At 1,400 px every column of the API table is in view, latency (the last) included.
  const table = page.getByTestId('cloud-apis');
  const latency = table.getByRole('columnheader', { name: 'Latency' });
  await expect(latency).toBeInViewport();
  const scroller = (await table.locator('xpath=..').boundingBox())!;
  const latencyBox = (await latency.boundingBox())!;
  expect(latencyBox.x + latencyBox.width).toBeLessThanOrEqual(scroller.x + scroller.width + 1);
  await page.screenshot({ path: screenshotPath('clouds-account-dark'), fullPage: true });
  await open(page, '#/clouds/prod-aliyun', { theme: 'light' });
  await expect(page.getByTestId('cloud-stat-discovery')).toContainText(/API calls: [1-9]\d*/);
  await page.screenshot({ path: screenshotPath('clouds-account-light'), fullPage: true });
});

test('an account whose Test failed once does not say "no errors" beside the failed call it counts', async ({ page }) => {
  await open(page, '#/clouds/gz-prod');
  await expect(page.getByTestId('cloud-account-screen')).toBeVisible({ timeout: 30_000 });
  // The dialog's Test with the wrong secret is counted in the API table.
  await expect(page.getByTestId('cloud-apis')).toContainText('AuthFailure.SignatureFailure ×1');
  await expect(page.getByTestId('cloud-errors-none')).not.toContainText('No errors since the console started');
  await expect(page.getByTestId('cloud-errors-none')).toContainText('counts 1 failed call since the console started');
  await page.getByTestId('cloud-errors').screenshot({ path: screenshotPath('clouds-account-errors-none') });
});

test('an account the cloud refuses says its error once on its card', async ({ page }) => {
  await open(page, '#/clouds');
  await page.getByTestId('cloud-add').click();
  await page.locator('label', { has: page.getByTestId('cloud-form-provider-tencent') }).click();
  await page.getByTestId('cloud-form-name').fill('refused');
  await page.getByTestId('cloud-form-regions').fill('ap-guangzhou');
  await page.getByTestId('cloud-form-accessKeyId').fill(tencent.account.accessKeyId);
  await page.getByTestId('cloud-form-accessKeySecret').fill('another-wrong-secret');
  await page.getByTestId('cloud-form-advanced').click();
  await page.getByTestId('cloud-form-endpoint').fill(tencent.emulator.endpoint);
  await page.getByTestId('cloud-form-save').click();
  const card = page.locator('[data-testid="cloud-account"][data-account="refused"]');
  await expect(card).toHaveAttribute('data-state', 'error', { timeout: 30_000 });
  await expect(card.getByTestId('cloud-state-detail')).toContainText('AuthFailure.SignatureFailure');
  // Once: the state line says it, no second "last error" line repeats it.
  await expect(card.getByText(/AuthFailure\.SignatureFailure/)).toHaveCount(1);
  await card.screenshot({ path: screenshotPath('clouds-account-card-refused') });
  await card.getByTestId('cloud-remove').click();
  await card.getByTestId('cloud-remove-confirm').click();
  await expect(card).toHaveCount(0);
});

test('Alibaba instances show their ECS names in the instance table, the overview, the instance title and Top-K; odd names never break the layout', async ({ page }) => {
  for (const [lang, theme] of [['en', 'light'], ['en', 'dark'], ['zh-CN', 'light'], ['zh-CN', 'dark']] as const) {
    await open(page, '#/clouds/prod-aliyun', { lang, theme });
    const table = page.getByTestId('cloud-account-instances');
    const row = (id: string) => table.locator(`[data-testid="cloud-row"][data-instance="${id}"]`);
    // The table is virtualised and sorted by name: filter down to the first ten ids.
    await page.getByTestId('cloud-filter').fill('i-bp1emu00000');
    await expect(row('i-bp1emu000002').locator('.fleet-name')).toHaveText('web 🚀 前端', { timeout: 30_000 });
    await expect(row('i-bp1emu000003').locator('.fleet-name')).toHaveText('app-cn-hangzhou-004');
    // The row's second line is the private address from DescribeInstances.
    await expect(row('i-bp1emu000003').locator('.muted')).toHaveText('172.16.0.5');
    // An empty name shows the id, once.
    await expect(row('i-bp1emu000001').locator('.fleet-name')).toHaveText('i-bp1emu000001');
    await expect(row('i-bp1emu000001').locator('.muted')).toHaveCount(0);
    // The long name is cut by the cell (ellipsis), the row keeps the height and width of its neighbours.
    const long = row('i-bp1emu000000');
    const [longBox, shortBox, tableBox] = await Promise.all([long.boundingBox(), row('i-bp1emu000003').boundingBox(), table.boundingBox()]);
    expect(longBox!.height).toBe(shortBox!.height);
    expect(longBox!.x + longBox!.width).toBeLessThanOrEqual(tableBox!.x + tableBox!.width + 1);
    expect(await long.locator('.fleet-name').evaluate((el: { scrollWidth: number; clientWidth: number }) => el.scrollWidth > el.clientWidth)).toBe(true);
    // The cloud's state word ("Running") in the UI's language.
    await expect(long.locator('.cloud-cell--name')).toHaveAttribute('title', lang === 'zh-CN' ? /^订单服务-主库.* · i-bp1emu000000 · 172\.16\.0\.2 · ecs\.g7\.large · 运行中$/ : /^订单服务-主库.* · i-bp1emu000000 · 172\.16\.0\.2 · ecs\.g7\.large · Running$/);
    await expect(page.getByTestId('cloud-names-problem')).toHaveCount(0);
    if (lang === 'zh-CN') await language.expectNoEnglish(page, `account names ${theme}`);
    await table.screenshot({ path: screenshotPath(`clouds-names-table-${lang}-${theme}`) });
  }

  await open(page, '#/');
  const section = page.getByTestId('cloud-fleet');
  await page.getByTestId('fleet-filter').fill('web 🚀');
  await expect(section.getByTestId('cloud-row')).toHaveCount(1, { timeout: 30_000 });
  await expect(section.getByTestId('cloud-fleet-count')).toHaveText(/^1 of \d+ instances$/);
  await expect(section.getByTestId('cloud-row').locator('.fleet-name')).toHaveText('web 🚀 前端');
  // Private addresses are searchable too.
  await page.getByTestId('fleet-filter').fill('172.16.0.5');
  await expect(section.locator('[data-testid="cloud-row"][data-instance="i-bp1emu000003"]')).toBeVisible();
  await page.getByTestId('fleet-filter').fill('cn-hangzhou');
  await page.screenshot({ path: screenshotPath('clouds-names-overview-light'), fullPage: true });
  await page.getByTestId('fleet-filter').fill('web 🚀');
  await section.getByTestId('cloud-row').first().click();
  await expect(page.getByTestId('cloud-instance')).toHaveAttribute('data-instance', 'i-bp1emu000002');
  await expect(page.locator('.cloud-instance-title')).toHaveText('web 🚀 前端');
  const facts = page.locator('.facts');
  await expect(facts).toContainText('172.16.0.4');
  await expect(facts).toContainText('ecs.r7.2xlarge');
  await expect(facts).toContainText('Running');

  await open(page, '#/topk');
  await page.getByTestId('topk-kind').selectOption('cloud');
  await expect(page.getByTestId('topk-row').first()).toBeVisible({ timeout: 30_000 });
  const labels = await page.getByTestId('topk-link').allTextContents();
  expect(labels.some((l) => /^app-cn-hangzhou-\d{3}$|^web 🚀 前端$/.test(l.trim()))).toBe(true);
});

test('a Huawei key that may read Cloud Eye but not list servers keeps collecting with ids, and the account says what to grant', async ({ page }) => {
  await open(page, '#/clouds/hw-beijing');
  const notes = page.getByTestId('cloud-names-problem');
  // One note for both regions.
  await expect(notes).toHaveCount(1, { timeout: 30_000 });
  await expect(notes.first()).toHaveAttribute('data-kind', 'permission_denied');
  await expect(notes.first()).toContainText('Virtual machines in cn-north-4, cn-east-3: no permission to list them');
  await expect(notes.first()).toContainText('names are shown as ids. Grant ecs:cloudServers:list');
  await expect(notes.first()).toContainText('ListServersDetails: Ecs.0003');
  const rows = page.getByTestId('cloud-account-instances').getByTestId('cloud-row');
  await expect(rows.first()).toBeVisible();
  expect(await rows.locator('.fleet-name').allTextContents()).toEqual(expect.arrayContaining(['00000000-0000-4000-8000-000000000000']));
  await expect(page.getByTestId('cloud-state-detail')).toHaveCount(0);
  await page.screenshot({ path: screenshotPath('clouds-names-denied-light'), fullPage: true });
  await open(page, '#/clouds/hw-beijing', { lang: 'zh-CN', theme: 'dark' });
  await expect(page.getByTestId('cloud-names-problem').first()).toContainText('请为该密钥授予 ecs:cloudServers:list 权限', { timeout: 30_000 });
  await page.screenshot({ path: screenshotPath('clouds-names-denied-zh-CN-dark'), fullPage: true });

  // "Test" with the same key, before adding it again under another name, says the same.
  await open(page, '#/clouds');
  await page.getByTestId('cloud-add').click();
  const dialog = page.getByTestId('cloud-form');
  await dialog.locator('label', { has: page.getByTestId('cloud-form-provider-huawei') }).click();
  await page.getByTestId('cloud-form-name').fill('hw-check');
  await page.getByTestId('cloud-form-regions').fill('cn-north-4');
  await page.getByTestId('cloud-form-accessKeyId').fill(huawei.account.accessKeyId);
  await page.getByTestId('cloud-form-accessKeySecret').fill(huawei.account.accessKeySecret);
  await page.getByTestId('cloud-form-project-cn-north-4').fill(huawei.account.projectIds!['cn-north-4']!);
  await page.getByTestId('cloud-form-advanced').click();
  await page.getByTestId('cloud-form-endpoint').fill(huawei.emulator.endpoint);
  await page.getByTestId('cloud-form-test').click();
  await expect(page.getByTestId('cloud-test-report')).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
  await expect(page.getByTestId('cloud-test-names-denied')).toContainText('no permission to list them (ListServersDetails: Ecs.0003), so names are shown as ids. Grant ecs:cloudServers:list');
  await dialog.screenshot({ path: screenshotPath('clouds-add-dialog-names-denied') });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
});

test('Top-K ranks cloud instances and a row opens the instance at the header\'s range; a zoom drawn with the mouse loads its charts', async ({ page }) => {
  await open(page, '#/topk');
  await page.getByTestId('range-1h').click();
  await page.getByTestId('topk-kind').selectOption('cloud');
  const rows = page.getByTestId('topk-row');
  await expect(rows.first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('topk-metric')).toHaveValue('cloud_cpu_utilization_ratio');
  const values = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
  expect(values).toEqual([...values].sort((a, b) => b - a));
  await page.screenshot({ path: screenshotPath('clouds-topk-light'), fullPage: true });
  await rows.first().getByTestId('topk-link').click();
  await expect(page.getByTestId('cloud-instance')).toBeVisible();
  await expect(page).toHaveURL(/\?range=1h$/);
  const cpu = page.getByTestId('chart-cloud:cloud_cpu_utilization_ratio');
  await expect.poll(async () => Number(await cpu.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(2);

  // Drag across the last part of the hour (cloud datapoints are a minute apart and arrive late).
  const rejected: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => String(f.payload).includes('invalid_input') && rejected.push(String(f.payload))));
  await cpu.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  const box = (await cpu.locator('.chart-plot').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.55, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2, { steps: 4 });
  await page.mouse.move(box.x + box.width * 0.97, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  await expect(page.getByTestId('zoom-window')).toBeVisible();
  await expect(page).toHaveURL(/\?range=1h&from=\d+&to=\d+$/);
  for (const chart of await page.locator('[data-testid^="chart-cloud:"]').all()) {
    await expect(chart.getByText('Could not load this chart')).toHaveCount(0);
  }
  await expect.poll(async () => Number(await cpu.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(0);
  expect(rejected).toEqual([]);
  await page.screenshot({ path: screenshotPath('clouds-instance-zoomed'), fullPage: true });
  await page.reload();
  await expect(page.getByTestId('zoom-window')).toBeVisible();
});

test('the hosts\' table is as tall as its rows, leaving the cloud instances in view; the command palette finds cloud accounts and instances (by name or id) and adds an account', async ({ page }) => {
  await open(page, '#/');
  await expect(page.getByTestId('cloud-fleet-table')).toBeVisible({ timeout: 30_000 });
  // One host: a table one row tall, not a window-high box that pushes the cloud instances below the fold.
  await page.getByTestId('view-table').click();
  await expect(page.getByTestId('fleet-row')).toHaveCount(1);
  await expect(page.getByTestId('cloud-fleet-count')).toBeInViewport();
  expect((await page.getByTestId('fleet-body').boundingBox())!.height).toBeLessThan(80);
  await page.screenshot({ path: screenshotPath('clouds-overview-table-light') });
  await page.keyboard.press('Control+k');
  await page.keyboard.type('i-bp1emu000002');
  await expect(page.getByTestId('palette-item').first()).toContainText('web 🚀 前端');
  await expect(page.getByTestId('palette-item').first()).toContainText('Cloud instance in prod-aliyun');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('cloud-instance')).toHaveAttribute('data-instance', 'i-bp1emu000002');
  await page.keyboard.press('Control+k');
  await page.keyboard.type('hw-beijing');
  await expect(page.getByTestId('palette-item').first()).toContainText('Cloud account');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('cloud-account-screen')).toHaveAttribute('data-account', 'hw-beijing');
  await page.keyboard.press('Control+k');
  await page.keyboard.type('add a cloud account');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('cloud-form')).toBeVisible();
  await page.keyboard.press('Escape');
});

test('a rule on a cloud metric: picked with its unit, a window long enough for the cloud’s delay, a preview that names the instances', async ({ page }) => {
  for (const [lang, theme] of [['en', 'light'], ['zh-CN', 'dark']] as const) {
    await open(page, '#/alerts', { lang, theme });
    await page.getByTestId('new-rule').click();
    await page.getByTestId('rule-name').fill('Cloud CPU busy');
    const selector = page.getByTestId('rule-selector');
    await selector.click();
    await selector.pressSequentially('cloud_cpu');
    const metric = page.getByTestId('metric-suggestion').filter({ hasText: 'cloud_cpu_utilization_ratio' });
    await expect(metric).toContainText(lang === 'en' ? 'percent' : '百分比');
    await metric.click();
    await page.locator('[data-testid="metric-suggestion"][data-value=\'cloud_cpu_utilization_ratio{account="prod-aliyun"}\']').click();
    // prod-aliyun settles a minute 120 s after it ends and is collected every 60 s in 60 s periods:
    // 120 + 60 + 3 × 60 s = 6 minutes. The old default of one minute never held a point.
    await expect(page.getByTestId('rule-window')).toHaveValue('6m');
    await page.getByTestId('rule-op').selectOption('>=');
    await page.getByTestId('rule-threshold').fill('0%');
    await expect(page.getByTestId('rule-preview-headline')).toHaveAttribute('data-would-fire', /^[1-9]\d*$/, { timeout: 30_000 });
    // Instances by the name their cloud gives them, next to the id the series carries.
    const names = await page.getByTestId('rule-preview').locator('.preview-name').allTextContents();
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name.trim()).toMatch(/^(app-cn-hangzhou-\d{3}|web 🚀 前端|订单服务-主库.*)$/);
    // A window shorter than the lag is called out.
    await page.getByTestId('rule-window').fill('1m');
    await expect(page.getByTestId('rule-editor')).toContainText(lang === 'en' ? 'this rule would see no data' : '此规则将看不到数据');
    await page.getByTestId('rule-window').fill('6m');
    await page.screenshot({ path: screenshotPath(`clouds-alert-rule-${lang}-${theme}`), fullPage: true });
  }
  // Saved with a window shorter than the lag (as a provisioned rule may be written): its row says it sees no data.
  await page.getByTestId('rule-window').fill('2m');
  await page.getByTestId('rule-save').click();
  const saved = page.getByTestId('rule-row').filter({ hasText: 'Cloud CPU busy' });
  await expect(saved.getByTestId('rule-window-short')).toContainText('6分钟');
  await page.screenshot({ path: screenshotPath('clouds-alert-rule-short-zh-CN-dark'), fullPage: true });
  page.once('dialog', (d) => void d.accept());
  await saved.getByRole('button', { name: '删除' }).click();
  await expect(saved).toHaveCount(0);
});

test('the cloud screens in Chinese have no English left, in both themes', async ({ page }) => {
  for (const theme of ['light', 'dark'] as const) {
    for (const [name, hash, ready] of [
      ['accounts', '#/clouds', 'cloud-account'],
      ['account', '#/clouds/hw-beijing', 'cloud-account-instances'],
      ['overview', '#/', 'cloud-fleet-table'],
    ] as const) {
      await open(page, hash, { lang: 'zh-CN', theme });
      await expect(page.getByTestId(ready).first()).toBeVisible({ timeout: 30_000 });
      await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
      await language.expectNoEnglish(page, name);
      await page.screenshot({ path: screenshotPath(`clouds-${name}-zh-CN-${theme}`), fullPage: true });
    }
  }
});

test('the keys never reach the page or its WebSocket', async ({ page }) => {
  await open(page, '#/clouds');
  await expect(page.getByTestId('cloud-account')).toHaveCount(3, { timeout: 30_000 });
  const html = await page.content();
  const everything = `${html}\n${frames.join('\n')}`;
  expect(frames.length).toBeGreaterThan(0);
  for (const secret of [aliyun.account.accessKeySecret, tencent.account.accessKeySecret, huawei.account.accessKeySecret, aliyun.account.accessKeyId, tencent.account.accessKeyId]) {
    expect(everything).not.toContain(secret);
  }
  expect(console_.output()).not.toContain(tencent.account.accessKeySecret);
});

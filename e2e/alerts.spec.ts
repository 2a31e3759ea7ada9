// Alerts end to end in Chromium against a real `overlook serve`: a rule made
// in the editor with the metric picker, its threshold in percent, on the local
// host's CPU previews, fires, toasts and lists; one click silences it with a
// note, the silence is listed and ended early. Channels added on the screen
// (a JSON webhook, a signed DingTalk robot) are tested against HTTP receivers
// the test runs; a provisioning file's webhook channel posts to a real HTTP
// server, and its invalid rule shows as a problem while the valid one still
// fires. A restarted console fires no "No data" and sends no "[RESOLVED]".
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { fromDist, screenshotPath, startConsole, type RunningConsole } from './console.js';
import { languageCheck } from './languageCheck.js';

async function openAlerts(page: Page, console_: RunningConsole) {
  await page.goto(console_.url);
  await page.getByTestId('nav-alerts').click();
  await expect(page.getByTestId('alerts-screen')).toBeVisible();
  await expect(page.getByTestId('rules-table')).toBeVisible();
}

test.describe('alert rules from the editor', () => {
  let console_: RunningConsole;
  test.beforeAll(async () => {
    console_ = await startConsole();
  });
  test.afterAll(async () => {
    await console_?.stop();
  });

  test('a CPU rule made with the metric picker, in percent, previews, fires with a toast, lists; a silence with a note is listed and ended early', async ({ page }) => {
    test.setTimeout(150_000);
    await page.emulateMedia({ colorScheme: 'light' });
    await openAlerts(page, console_);

    await page.getByTestId('new-rule').click();
    const editor = page.getByTestId('rule-editor');
    await expect(editor).toBeVisible();
    // Field validation speaks before anything is sent.
    await page.getByTestId('rule-window').fill('soon');
    await page.getByTestId('rule-window').blur();
    await expect(editor.getByTestId('field-problem')).toContainText('duration');
    await page.getByTestId('rule-window').fill('30s');

    await page.getByTestId('rule-name').fill('Local CPU busy');
    // The picker: the metric by part of its name, with its unit; then its series by label value.
    const selector = page.getByTestId('rule-selector');
    await expect
      .poll(async () => {
        await page.getByTestId('rule-name').focus();
        await selector.focus();
        await selector.fill('');
        await selector.pressSequentially('cpu_usa');
        return page.getByTestId('metric-suggestion').filter({ hasText: 'host:cpu_usage:ratio' }).filter({ hasText: '1 series' }).count();
      }, { timeout: 45_000 })
      .toBe(1);
    const metric = page.getByTestId('metric-suggestion').filter({ hasText: 'host:cpu_usage:ratio' });
    await expect(metric).toContainText('percent');
    await page.screenshot({ path: screenshotPath('alerts-picker') });
    await metric.click();
    await expect(selector).toHaveValue('host:cpu_usage:ratio');
    await page.locator('[data-testid="metric-suggestion"][data-value=\'host:cpu_usage:ratio{host="local"}\']').click();
    await expect(selector).toHaveValue('host:cpu_usage:ratio{host="local"}');

    await page.getByTestId('rule-aggregate').selectOption('max');
    // In the metric's display unit: a percent, said back as what it means.
    await page.getByTestId('rule-threshold').fill('0.2 MiB');
    await page.getByTestId('rule-threshold').blur();
    await expect(editor.getByTestId('field-problem')).toContainText('does not take that unit');
    await page.getByTestId('rule-threshold').fill('0.1%');
    await expect(editor).toContainText('Means 0.1%.');
    await page.getByTestId('rule-for').fill('0s');
    await page.getByTestId('rule-severity').selectOption('critical');
    // The live preview, once the local host has a CPU sample or two.
    await expect(page.getByTestId('rule-preview-headline')).toHaveText('Would fire now for 1 series.', { timeout: 45_000 });
    await page.screenshot({ path: screenshotPath('alerts-editor'), fullPage: true });

    await page.getByTestId('rule-save').click();
    await expect(editor).toBeHidden();
    const ruleRow = page.getByTestId('rule-row').filter({ hasText: 'Local CPU busy' });
    await expect(ruleRow).toContainText('> 0.1%');

    const row = page.getByTestId('alert-row').filter({ hasText: 'Local CPU busy' });
    await expect(row).toHaveAttribute('data-status', 'firing', { timeout: 45_000 });
    await expect(page.getByTestId('alerts-badge')).toHaveText('1');
    // A new alert's "For" starts at zero, never below.
    await expect(row.getByTestId('alert-for')).not.toContainText('-');
    // The desktop channel in the browser: an in-app toast (after the grouping window).
    const toast = page.getByTestId('toast').filter({ hasText: 'Local CPU busy' });
    await expect(toast).toBeVisible({ timeout: 45_000 });
    await expect(toast).toHaveAttribute('data-status', 'firing');
    await page.screenshot({ path: screenshotPath('alerts-firing'), fullPage: true });

    // Silence it for an hour with a note: listed with what it mutes, the note and when it ends.
    await expect(page.getByTestId('silences-empty')).toBeVisible();
    await row.getByTestId('silence-note-input').fill('deploying the new kernel');
    await row.getByTestId('silence-button').click();
    await expect(row).toHaveAttribute('data-muted', 'true');
    await expect(row.getByTestId('muted-badge')).toBeVisible();
    await expect(page.getByTestId('alerts-badge')).toBeHidden();
    const silence = page.getByTestId('silence-row');
    await expect(silence).toHaveCount(1);
    await expect(silence).toContainText('Local CPU busy');
    await expect(silence).toContainText('host="local"');
    await expect(silence.getByTestId('silence-note')).toHaveText('deploying the new kernel');
    await expect(silence.getByTestId('silence-ends')).toContainText(/in (60 min|1 hr)/);
    await expect(page.getByTestId('history-table')).toContainText('Local CPU busy');
    await page.screenshot({ path: screenshotPath('alerts-silenced'), fullPage: true });

    // The same screen in Chinese, dark: built-in rule names, summaries and words translated.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByTestId('lang-toggle').click();
    await expect(page.getByTestId('alerts-screen')).toContainText('当前告警');
    await expect(row.getByTestId('muted-badge')).toHaveText('已静默');
    await expect(page.getByTestId('rule-row').filter({ hasText: '主机离线' })).toHaveCount(1);
    // Lists joined the Chinese way (、), alternatives with 或.
    await expect(page.getByTestId('rule-row').filter({ hasText: '主机离线' })).toContainText('离线、数据滞后');
    await expect(page.getByTestId('channel-row').filter({ hasText: '桌面通知' })).toContainText('磁盘将满、主机离线');
    const { expectNoEnglish } = await languageCheck();
    await expectNoEnglish(page, 'alerts');
    await page.screenshot({ path: screenshotPath('alerts-zh-CN-dark'), fullPage: true });
    await page.getByTestId('new-rule').click();
    await page.getByTestId('rule-selector').fill('cloud_');
    await page.screenshot({ path: screenshotPath('alerts-editor-zh-CN-dark') });
    await page.getByTestId('rule-editor').getByRole('button', { name: '取消' }).click();
    // Chinese in the light theme, and English in the dark one: all four looked at.
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: screenshotPath('alerts-zh-CN-light'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByTestId('lang-toggle').click();
    await expect(page.getByTestId('alerts-screen')).toContainText('Current alerts');
    await page.screenshot({ path: screenshotPath('alerts-en-dark'), fullPage: true });

    // Ended early: the list empties and the alert notifies again.
    await silence.getByTestId('end-silence').click();
    await expect(page.getByTestId('silence-row')).toHaveCount(0);
    await expect(row).toHaveAttribute('data-muted', 'false');
    await expect(page.getByTestId('alerts-badge')).toHaveText('1');
  });
});

/** An HTTP receiver on 127.0.0.1 that records each POST and answers with `reply`. */
async function startReceiver(reply: (url: URL) => { status: number; body: string }) {
  const got: { url: URL; body: Record<string, unknown> }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      got.push({ url, body: JSON.parse(body) as Record<string, unknown> });
      const r = reply(url);
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(r.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { got, base: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, close: () => new Promise((r) => (server.closeAllConnections(), server.close(r))) };
}

test.describe('notification channels on the screen', () => {
  let console_: RunningConsole;
  let hook: Awaited<ReturnType<typeof startReceiver>>;
  let robot: Awaited<ReturnType<typeof startReceiver>>;
  const ROBOT_SECRET = 'SEC0123456789abcdef';
  const HOOK_TOKEN = 'tok-SECRET-8f3a91c2';

  test.beforeAll(async () => {
    const { dingTalkSign } = await fromDist<{ dingTalkSign(secret: string, t: number): string }>('core/alerts/channels/robots.js');
    hook = await startReceiver(() => ({ status: 200, body: '{"ok":true}' }));
    // A DingTalk robot with 加签 on: it answers errcode 310000 unless the request carries a good signature.
    robot = await startReceiver((url) => {
      const t = Number(url.searchParams.get('timestamp'));
      const good = url.searchParams.get('sign') === dingTalkSign(ROBOT_SECRET, t) && Math.abs(Date.now() - t) < 3_600_000;
      return { status: 200, body: JSON.stringify(good ? { errcode: 0, errmsg: 'ok' } : { errcode: 310000, errmsg: 'sign not match' }) };
    });
    console_ = await startConsole();
  });
  test.afterAll(async () => {
    await console_?.stop();
    await hook?.close();
    await robot?.close();
  });

  test('a JSON webhook and a signed DingTalk robot are added, tested against local receivers, edited and removed; their secrets never come back', async ({ page }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: 'light' });
    page.on('dialog', (d) => void d.accept());
    await openAlerts(page, console_);
    const panel = page.getByTestId('channels-panel');
    await expect(panel.getByTestId('channel-row')).toHaveCount(1);
    await expect(panel.locator('[data-channel="desktop"]')).toHaveAttribute('data-origin', 'builtin');

    // A webhook, tested from the dialog before it is saved.
    await page.getByTestId('add-channel').click();
    const form = page.getByTestId('channel-form');
    await form.getByTestId('channel-form-name').fill('ops-hook');
    await form.getByTestId('channel-form-url').fill('hooks.example.com/x');
    await form.getByTestId('channel-form-test').click();
    await expect(form.getByTestId('channel-form-error-url')).toBeVisible();
    await form.getByTestId('channel-form-url').fill(`${hook.base}/alerts?token=${HOOK_TOKEN}`);
    await form.getByTestId('channel-form-test').click();
    await expect(form.getByTestId('channel-test-report')).toHaveAttribute('data-ok', 'true');
    expect(hook.got).toHaveLength(1);
    expect(hook.got[0]!.url.searchParams.get('token')).toBe(HOOK_TOKEN);
    expect(hook.got[0]!.body).toMatchObject({ test: true, source: 'overlook', title: '[TEST] Overlook test notification' });
    await page.screenshot({ path: screenshotPath('alerts-channel-dialog') });
    await form.getByTestId('channel-form-save').click();
    await expect(form).toBeHidden();
    const hookRow = panel.locator('[data-channel="ops-hook"]');
    await expect(hookRow.getByTestId('channel-target')).toHaveText(`URL set · ${hook.host}`);

    // A DingTalk robot with its signing secret; the test is signed and accepted.
    await page.getByTestId('add-channel').click();
    await form.locator('label', { has: page.getByTestId('channel-form-type-dingtalk') }).click();
    await expect(form.getByTestId('channel-form-type-dingtalk')).toBeChecked();
    await form.getByTestId('channel-form-name').fill('ops-dingtalk');
    await form.getByTestId('channel-form-url').fill(`${robot.base}/robot/send?access_token=abc1234567890`);
    await form.getByTestId('channel-form-secret').fill(ROBOT_SECRET);
    await form.getByTestId('channel-form-save').click();
    await expect(form).toBeHidden();
    const robotRow = panel.locator('[data-channel="ops-dingtalk"]');
    await expect(robotRow.getByTestId('channel-secret')).toHaveText('Set');
    await robotRow.getByTestId('test-channel').click();
    await expect(robotRow.getByTestId('channel-test-result')).toHaveAttribute('data-ok', 'true');
    expect(robot.got.at(-1)!.body).toMatchObject({ msgtype: 'markdown' });
    await hookRow.getByTestId('test-channel').click();
    await expect(hookRow.getByTestId('channel-test-result')).toHaveAttribute('data-ok', 'true');
    expect(hook.got).toHaveLength(2);
    // Nothing the screen holds is a secret: not the token, not the signing secret.
    const html = await page.content();
    expect(html).not.toContain(HOOK_TOKEN);
    expect(html).not.toContain(ROBOT_SECRET);
    expect(html).not.toContain('abc1234567890');
    await page.screenshot({ path: screenshotPath('alerts-channels'), fullPage: true });

    // Edit: the URL stays when left empty; taking the signing secret away makes the robot refuse the test.
    await robotRow.getByTestId('edit-channel').click();
    await expect(form.getByTestId('channel-form-url')).toHaveValue('');
    await expect(form.getByTestId('channel-form-url')).toHaveAttribute('placeholder', 'Set');
    await form.getByTestId('channel-form-remove-secret').check();
    await form.getByTestId('channel-form-save').click();
    await expect(form).toBeHidden();
    await expect(robotRow.getByTestId('channel-secret')).toHaveText('Not set');
    await robotRow.getByTestId('test-channel').click();
    await expect(robotRow.getByTestId('channel-test-result')).toHaveAttribute('data-ok', 'false');
    await expect(robotRow.getByTestId('channel-test-result')).toContainText('errcode 310000');

    // In Chinese and dark.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByTestId('lang-toggle').click();
    await expect(panel).toContainText('通知渠道');
    await expect(robotRow.getByTestId('channel-secret')).toHaveText('未设置');
    // The robot's refusal worded in Chinese around what the robot said.
    await expect(robotRow.getByTestId('channel-test-result')).toContainText('钉钉 拒收了消息：errcode 310000');
    await page.screenshot({ path: screenshotPath('alerts-channels-zh-CN-dark'), fullPage: true });
    await robotRow.getByTestId('edit-channel').click();
    await page.screenshot({ path: screenshotPath('alerts-channel-dialog-zh-CN-dark') });
    await page.keyboard.press('Escape');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: screenshotPath('alerts-channels-zh-CN-light'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByTestId('lang-toggle').click();
    await expect(panel).toContainText('Notification channels');
    // The refusal wraps inside the table rather than widening it past the panel's edge (clipped).
    await expect(robotRow.getByTestId('channel-test-result')).toContainText('DingTalk refused the message: errcode 310000');
    const wrap = panel.locator('.table-wrap');
    expect(await wrap.evaluate((e) => e.scrollWidth - e.clientWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: screenshotPath('alerts-channels-en-dark'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });

    // Removed: gone from the list.
    await hookRow.getByTestId('remove-channel').click();
    await expect(hookRow).toHaveCount(0);
    await expect(panel.getByTestId('channel-row')).toHaveCount(2);
  });
});

test.describe('a restarted console', () => {
  let dir: string;
  let console_: RunningConsole | undefined;
  test.beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-e2e-restart-'));
    // Polled every second, the built-in no-data rule's window is 3 s: shorter than the restart.
    fs.writeFileSync(path.join(dir, 'overlook.yaml'), 'version: 1\nsettings:\n  poll_interval: 1s\n');
  });
  test.afterAll(async () => {
    await console_?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('fires no "No data" for hosts that report again, and sends no "[RESOLVED]" for what it never sent', async ({ page }) => {
    test.setTimeout(120_000);
    const data = path.join(dir, 'data');
    fs.mkdirSync(data);
    const args = ['--config', path.join(dir, 'overlook.yaml')];
    console_ = await startConsole({ args, dataDir: data });
    await page.goto(console_.url);
    await expect(page.locator('[data-testid="host-card"][data-host-id="local"]')).toHaveAttribute('data-status', 'online', { timeout: 30_000 });
    // Samples reach the store and the no-data rule has seen the host report.
    await page.waitForTimeout(5000);
    await console_.stop({ keepData: true });
    // Down for longer than the no-data window.
    await page.waitForTimeout(8000);
    console_ = await startConsole({ args, dataDir: data });
    await page.goto(console_.url);
    await page.getByTestId('nav-alerts').click();
    await expect(page.getByTestId('rules-table')).toBeVisible();
    await expect(page.getByTestId('rule-row').filter({ hasText: 'No data' })).toHaveCount(1);
    // The host reconnects within a few seconds; watch past the window and the grouping delay (10 s).
    const seen = new Set<string>();
    const end = Date.now() + 20_000;
    while (Date.now() < end) {
      for (const text of await page.getByTestId('alert-row').allTextContents()) seen.add(text);
      for (const text of await page.getByTestId('toast').allTextContents()) seen.add(text);
      await page.waitForTimeout(500);
    }
    expect([...seen].filter((t) => t.includes('No data'))).toEqual([]);
    // Not even a pending one: the history has no no-data transition.
    const history = page.getByTestId('history-table');
    if (await history.count()) await expect(history).not.toContainText('No data');
    await page.screenshot({ path: screenshotPath('alerts-after-restart'), fullPage: true });
  });
});

test.describe('alerts and channels from the provisioning file', () => {
  let console_: RunningConsole;
  let server: http.Server;
  const received: unknown[] = [];
  let dir: string;

  test.beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        try {
          received.push({ path: req.url, contentType: req.headers['content-type'], body: JSON.parse(body) });
        } catch {
          received.push({ path: req.url, raw: body });
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-e2e-alerts-'));
    const file = path.join(dir, 'overlook.yaml');
    fs.writeFileSync(
      file,
      `version: 1
settings:
  poll_interval: 2s
channels:
  - name: hook
    type: webhook
    url_env: E2E_HOOK_URL
alerts:
  - name: cpu seen
    selector: host:cpu_usage:ratio{host="local"}
    aggregate: max
    window: 30s
    op: ">="
    threshold: 0
    for: 0s
    severity: warning
    summary: "CPU on {{host}} is {{value}}"
    channels: [hook]
  - name: not a rule
    selector: node_load1
    window: 1m
    op: "~"
    threshold: 1
`,
    );
    console_ = await startConsole({ args: ['--config', file], env: { E2E_HOOK_URL: `http://127.0.0.1:${port}/hook?token=abc` } });
  });
  test.afterAll(async () => {
    await console_?.stop();
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the webhook receives the firing alert as JSON; the invalid rule is a problem and the valid one works', async ({ page }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: 'light' });
    await openAlerts(page, console_);
    const problems = page.getByTestId('alert-config-problems');
    await expect(problems).toContainText('alerts[1].op');
    await expect(problems).toContainText('overlook.yaml:22');
    const provisioned = page.getByTestId('rule-row').filter({ hasText: 'cpu seen' });
    await expect(provisioned.getByTestId('provisioned-badge')).toBeVisible();
    await expect(provisioned.getByTestId('rule-enabled')).toBeDisabled();
    await expect(page.getByTestId('rule-row').filter({ hasText: 'not a rule' })).toHaveCount(0);

    await expect(page.getByTestId('alert-row').filter({ hasText: 'cpu seen' })).toHaveAttribute('data-status', 'firing', { timeout: 45_000 });
    await expect.poll(() => received.length, { timeout: 45_000 }).toBeGreaterThan(0);
    const first = received[0] as { path: string; contentType: string; body: Record<string, unknown> };
    expect(first.path).toBe('/hook?token=abc');
    expect(first.contentType).toMatch(/application\/json/);
    expect(JSON.stringify(first.body)).toContain('cpu seen');
    expect(JSON.stringify(first.body)).toContain('firing');
    await expect(page.getByTestId('deliveries-table')).toContainText('hook');
    await page.screenshot({ path: screenshotPath('alerts-provisioned'), fullPage: true });
  });
});

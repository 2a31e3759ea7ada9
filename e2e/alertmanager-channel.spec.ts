// An Alertmanager channel added on the channels screen, against Debian's real
// prometheus-alertmanager with its API behind basic auth (--web.config.file):
// its URLs, resend interval and basic auth entered in the dialog; the test
// without the password gets Alertmanager's 401, with it the test alert is in
// Alertmanager; saved, the row says how it authenticates and never the
// password; an edit keeps the stored password while the URLs stay, and asks
// for it again when they point elsewhere. English and 简体中文, light and dark.
import { expect, test } from '@playwright/test';
import { fromTestSupport, screenshotPath, startConsole, type RunningConsole } from './console.js';
import { languageCheck } from './languageCheck.js';

interface RunningEngine {
  url: string;
  remove(): Promise<void>;
}
type StartAlertmanager = (config: string, options: { basicAuth: { users: Record<string, string>; readyAuth: string } }) => Promise<RunningEngine>;

const USER = 'overlook';
const PASSWORD = 'am-test-password';
// bcrypt (cost 10) of PASSWORD: `htpasswd -nbBC 10 overlook am-test-password` (apache2-utils).
const PASSWORD_BCRYPT = '$2y$10$E2kb8Rg7C5xZC5KimKSzfOLJMYogWY0lgiyE6qGut5MD5orgK5CTS';
const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

let am: RunningEngine | undefined;
let console_: RunningConsole | undefined;

test.beforeAll(async () => {
  const { startAlertmanager } = await fromTestSupport<{ startAlertmanager: StartAlertmanager }>('engines.js');
  am = await startAlertmanager('route:\n  receiver: none\nreceivers:\n  - name: none\n', { basicAuth: { users: { [USER]: PASSWORD_BCRYPT }, readyAuth: basic } });
  console_ = await startConsole();
});

test.afterAll(async () => {
  await console_?.stop().catch(() => undefined);
  await am?.remove().catch(() => undefined);
});

test('an Alertmanager behind basic auth is added from the channels screen, tested (401 without the password), edited; the password never comes back', async ({ page, request }) => {
  test.setTimeout(120_000);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(console_!.url);
  await page.getByTestId('nav-alerts').click();
  const panel = page.getByTestId('channels-panel');
  await expect(panel.getByTestId('channel-row')).toHaveCount(1);

  await page.getByTestId('add-channel').click();
  const form = page.getByTestId('channel-form');
  await form.locator('label', { has: page.getByTestId('channel-form-type-alertmanager') }).click();
  await expect(form.getByTestId('channel-form-type-alertmanager')).toBeChecked();
  await expect(form.getByTestId('channel-form-url')).toHaveCount(0);
  await form.getByTestId('channel-form-name').fill('team-am');
  // A user and password in the URL are refused: they go in the auth fields.
  await form.getByTestId('channel-form-urls').fill(`http://${USER}:${PASSWORD}@127.0.0.1:9093`);
  await form.getByTestId('channel-form-test').click();
  await expect(form.getByTestId('channel-form-error-urls')).toBeVisible();
  await form.getByTestId('channel-form-urls').fill(am!.url);
  await form.getByTestId('channel-form-resend').fill('30s');

  // Without auth, Alertmanager answers 401 and the test says so.
  await form.getByTestId('channel-form-test').click();
  await expect(form.getByTestId('channel-test-report')).toHaveAttribute('data-ok', 'false');
  await expect(form.getByTestId('channel-test-report')).toContainText('HTTP 401');

  await form.getByTestId('channel-form-auth').selectOption('basic');
  await form.getByTestId('channel-form-username').fill(USER);
  await form.getByTestId('channel-form-authSecret').fill(PASSWORD);
  await form.getByTestId('channel-form-test').click();
  await expect(form.getByTestId('channel-test-report')).toHaveAttribute('data-ok', 'true');
  // The test alert is in Alertmanager.
  const alerts = await request.get(`${am!.url}/api/v2/alerts`, { headers: { authorization: basic } });
  expect(alerts.status()).toBe(200);
  expect(((await alerts.json()) as unknown[]).length).toBeGreaterThan(0);
  await page.screenshot({ path: screenshotPath('alerts-alertmanager-dialog-light') });
  await form.getByTestId('channel-form-save').click();
  await expect(form).toBeHidden();

  const row = panel.locator('[data-channel="team-am"]');
  await expect(row.getByTestId('channel-target')).toContainText(new URL(am!.url).host);
  await expect(row.getByTestId('channel-secret')).toHaveText(`Basic auth as ${USER}: Set`);
  await row.getByTestId('test-channel').click();
  await expect(row.getByTestId('channel-test-result')).toHaveAttribute('data-ok', 'true');
  expect(await page.content()).not.toContain(PASSWORD);
  await page.screenshot({ path: screenshotPath('alerts-alertmanager-channels-light'), fullPage: true });

  // Edit: the URLs and auth come back, the password does not; kept while the URLs stay.
  await row.getByTestId('edit-channel').click();
  await expect(form.getByTestId('channel-form-urls')).toHaveValue(am!.url);
  await expect(form.getByTestId('channel-form-resend')).toHaveValue('30s');
  await expect(form.getByTestId('channel-form-auth')).toHaveValue('basic');
  await expect(form.getByTestId('channel-form-username')).toHaveValue(USER);
  await expect(form.getByTestId('channel-form-authSecret')).toHaveValue('');
  await form.getByTestId('channel-form-test').click();
  await expect(form.getByTestId('channel-test-report')).toHaveAttribute('data-ok', 'true');
  // Pointed elsewhere, the stored password is not sent there: saving asks for it again.
  await form.getByTestId('channel-form-urls').fill(`${am!.url}\nhttp://127.0.0.1:9`);
  await form.getByTestId('channel-form-save').click();
  await expect(form.getByTestId('channel-form-error')).toContainText('enter it again');
  await form.getByTestId('channel-form-urls').fill(am!.url);
  await form.getByTestId('channel-form-resend').fill('1m');
  await form.getByTestId('channel-form-save').click();
  await expect(form).toBeHidden();
  await row.getByTestId('test-channel').click();
  await expect(row.getByTestId('channel-test-result')).toHaveAttribute('data-ok', 'true');

  await row.getByTestId('edit-channel').click();
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: screenshotPath('alerts-alertmanager-dialog-dark') });
  await page.keyboard.press('Escape');
  await expect(form).toBeHidden();
  await page.getByTestId('lang-toggle').click();
  await expect(row.getByTestId('channel-secret')).toHaveText(`Basic 认证，用户 ${USER}：已设置`);
  await row.getByTestId('edit-channel').click();
  await expect(form).toContainText('重发间隔');
  await (await languageCheck()).expectNoEnglish(page, 'Alertmanager channel dialog');
  await page.screenshot({ path: screenshotPath('alerts-alertmanager-dialog-dark-zh-CN') });
  await page.keyboard.press('Escape');
  await expect(form).toBeHidden();
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: screenshotPath('alerts-alertmanager-channels-light-zh-CN'), fullPage: true });
});

// Service checks of every kind, added in the dialog with the mouse and the
// keyboard as a person does, against real servers started here: a TCP check
// to a listening and a closed port; TLS checks against openssl-made
// certificates (expired: down, "certificate expired"; 3 days left: up, in
// the warning colour at the default 14 days and not once the check's own
// warning days are set to 2); ping to 127.0.0.1 from the console; an HTTP
// check with request headers and basic auth (the secret header and the
// password stored, shown only as "set" when the check is edited); and a check
// from an SSH host in a network namespace to a server only reachable inside
// it (up from the host, refused from the console). Down reasons are said in
// the UI's language. Screenshots of the screen and the dialog with headers
// and auth in en and zh-CN, light and dark.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import { fromDist, fromTestSupport, screenshotPath, startConsole, type RunningConsole } from './console.js';
import { languageCheck, type LanguageCheck } from './languageCheck.js';

declare const window: { location: { hash: string } };
declare const localStorage: { setItem(key: string, value: string): void };

interface SshServer {
  hostKey(): { type: string; blob: string };
  stop(): Promise<void>;
}
interface NetnsHost {
  readonly name: string;
  readonly address: string;
  remove(): Promise<void>;
}
interface SshHarness {
  ensureTestUser(): Promise<{ name: string }>;
  makeTempDir(prefix: string): string;
  removeTempDir(dir: string): void;
  makeKeyPair(dir: string, name: string): Promise<{ privateKeyPath: string; publicKey: string }>;
  createNetnsHost(n: number): Promise<NetnsHost>;
  startSshd(options: { port: number; listenAddress?: string; netns?: string; authorizedKeys: readonly string[] }): Promise<SshServer>;
}
interface WebServer {
  port: number;
  behaviour: { status: number; body: string; authorization?: string };
  requests: { url: string; headers: Record<string, string | string[] | undefined> }[];
  close(): Promise<void>;
}
interface CheckHarness {
  makeTestCerts(dir: string): { caFile: string; leaf: Record<'expiring' | 'expired', { key: string; cert: string }> };
  startTestWebServer(options?: { tls?: { key: string; cert: string } }): Promise<WebServer>;
}

const NETNS_NUMBER = 157;
const SSH_PORT = 22257;
/** Inside the namespace only; on the console's loopback nothing listens here. */
const INNER_PORT = 28157;
const HOST = 'inner-1';
const PASSWORD = 'e2e-pw-never-shown';
const API_KEY = 'e2e-key-never-shown';

let ssh: SshHarness;
let sshd: SshServer | undefined;
let netns: NetnsHost | undefined;
let inner: ChildProcess | undefined;
let dir: string | undefined;
let console_: RunningConsole;
const web: Record<'site' | 'expired' | 'expiring', WebServer> = {} as never;
let closedPort = 0;
let language: LanguageCheck;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  language = await languageCheck();
  ssh = await fromTestSupport<SshHarness>('sshServers.js');
  const checks = await fromTestSupport<CheckHarness>('checkServers.js');
  const { sha256Fingerprint } = await fromDist<{ sha256Fingerprint(blob: string): string }>('core/ssh/knownHosts.js');
  dir = ssh.makeTempDir('e2e-checks-kinds-');
  const certs = checks.makeTestCerts(path.join(dir, 'certs'));
  web.site = await checks.startTestWebServer();
  web.site.behaviour.authorization = `Basic ${Buffer.from(`probe:${PASSWORD}`).toString('base64')}`;
  web.expired = await checks.startTestWebServer({ tls: certs.leaf.expired });
  web.expiring = await checks.startTestWebServer({ tls: certs.leaf.expiring });
  closedPort = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

  const user = await ssh.ensureTestUser();
  const key = await ssh.makeKeyPair(dir, 'client');
  netns = await ssh.createNetnsHost(NETNS_NUMBER);
  sshd = await ssh.startSshd({ port: SSH_PORT, listenAddress: netns.address, netns: netns.name, authorizedKeys: [key.publicKey] });
  inner = spawn('ip', ['netns', 'exec', netns.name, process.execPath, '-e', `require('http').createServer((q, s) => s.end('inside-only')).listen(${INNER_PORT}, '127.0.0.1', () => console.log('ready'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    inner!.stdout!.once('data', () => resolve());
    inner!.once('exit', (code) => reject(new Error(`the namespace's server exited (${code})`)));
  });
  const file = path.join(dir, 'overlook.yaml');
  fs.writeFileSync(
    file,
    `version: 1
hosts:
  - name: ${HOST}
    address: ${user.name}@${netns.address}:${SSH_PORT}
    key_file: ${key.privateKeyPath}
    host_key: ${sha256Fingerprint(sshd.hostKey().blob)}
`,
  );
  // The console trusts the test CA as an operator's system would trust theirs.
  console_ = await startConsole({ args: ['--config', file], env: { NODE_EXTRA_CA_CERTS: certs.caFile } });
});

test.afterAll(async () => {
  await console_?.stop().catch(() => undefined);
  inner?.kill();
  await sshd?.stop().catch(() => undefined);
  await netns?.remove().catch(() => undefined);
  for (const s of Object.values(web)) await s.close().catch(() => undefined);
  if (dir) ssh.removeTempDir(dir);
});

async function open(page: Page, hash: string, prefs: { lang?: 'en' | 'zh-CN'; theme?: 'light' | 'dark' } = {}) {
  await page.goto(console_.url);
  await page.evaluate((p) => {
    localStorage.setItem('overlook.prefs', JSON.stringify({ state: { theme: p.theme ?? 'light', lang: p.lang ?? 'en', range: '15m' }, version: 1 }));
  }, prefs);
  await page.evaluate((h) => (window.location.hash = h), hash);
  await page.reload();
}

const row = (page: Page, name: string) => page.locator(`[data-testid="check-row"][data-check="${name}"]`);
const vantage = (page: Page, name: string, v: string) => row(page, name).locator(`[data-testid="check-vantage"][data-vantage="${v}"]`);

/** Opens the dialog, picks the kind with the mouse, types name and target with the keyboard (Tab between them), a 2 s interval. */
async function addCheck(page: Page, kind: 'http' | 'tcp' | 'tls' | 'ping', name: string, target: string, more?: () => Promise<void>) {
  await page.getByTestId('check-add').click();
  await page.getByTestId(`check-form-kind-${kind}`).locator('xpath=..').click();
  await page.getByTestId('check-form-name').click();
  await page.keyboard.type(name);
  await page.keyboard.press('Tab');
  await page.keyboard.type(target);
  await page.getByTestId('check-form-intervalSeconds').fill('2');
  await page.getByTestId('check-form-timeoutSeconds').fill('2');
  await more?.();
  await page.getByTestId('check-form-save').click();
  await expect(page.getByTestId('check-form')).toHaveCount(0);
}

test('TCP to a listening and a closed port, and ping to 127.0.0.1 from this console', async ({ page }) => {
  await open(page, '#/checks');
  await addCheck(page, 'tcp', 'port-open', `127.0.0.1:${web.site.port}`);
  await addCheck(page, 'tcp', 'port-closed', `127.0.0.1:${closedPort}`);
  await addCheck(page, 'ping', 'loopback-ping', '127.0.0.1');
  await expect(row(page, 'port-open')).toHaveAttribute('data-state', 'up', { timeout: 20_000 });
  await expect(row(page, 'port-closed')).toHaveAttribute('data-state', 'down', { timeout: 20_000 });
  const reason = row(page, 'port-closed').getByTestId('check-reason');
  await expect(reason).toHaveAttribute('data-reason', 'refused');
  await expect(reason).toHaveText('Connection refused');
  // The English detail, with the address, is the tooltip.
  await expect(reason).toHaveAttribute('title', `connection refused at 127.0.0.1:${closedPort}`);
  await expect(row(page, 'loopback-ping')).toHaveAttribute('data-state', 'up', { timeout: 20_000 });
  // A loopback round trip is often well under a millisecond: shown with its hundredths, never as a bare 0 ms.
  await expect(vantage(page, 'loopback-ping', 'console')).toContainText(/\d ms/);
  await expect(vantage(page, 'loopback-ping', 'console')).not.toContainText(/\b0 ms/);
});

test('TLS: an expired certificate is down; one with 3 days left warns at the default 14 days, not at the check’s own 2', async ({ page }) => {
  await open(page, '#/checks');
  await addCheck(page, 'tls', 'tls-expired', `127.0.0.1:${web.expired.port}`);
  await addCheck(page, 'tls', 'tls-soon', `127.0.0.1:${web.expiring.port}`, async () => {
    await expect(page.getByTestId('check-form-certWarnDays')).toHaveValue('14');
  });
  await expect(row(page, 'tls-expired')).toHaveAttribute('data-state', 'down', { timeout: 20_000 });
  await expect(row(page, 'tls-expired').getByTestId('check-reason')).toHaveText('Certificate expired');
  await expect(row(page, 'tls-expired').getByTestId('check-cert-days')).toHaveText('certificate expired');
  const soon = row(page, 'tls-soon');
  await expect(soon).toHaveAttribute('data-state', 'up', { timeout: 20_000 });
  const days = soon.getByTestId('check-cert-days');
  await expect(days).toHaveAttribute('data-warn', 'true');
  await expect(days).toHaveClass(/checks-cert--warn/);
  await expect(days).toContainText(/[23] days left/);

  await soon.getByTestId('check-edit').click();
  const warn = page.getByTestId('check-form-certWarnDays');
  await warn.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('400');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('check-form-error-certWarnDays')).toBeVisible();
  await warn.fill('2');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('check-form')).toHaveCount(0);
  await expect(days).toHaveAttribute('data-warn', 'false');
  await expect(days).not.toHaveClass(/checks-cert--warn/);
});

test('HTTP with request headers and basic auth: up, the secrets kept and shown only as set', async ({ page }) => {
  await open(page, '#/checks');
  const url = `http://127.0.0.1:${web.site.port}/auth`;
  await addCheck(page, 'http', 'api-auth', url, async () => {
    await page.getByTestId('check-form-header-add').click();
    await page.getByTestId('check-form-header-name-0').click();
    await page.keyboard.type('X-Probe');
    await page.keyboard.press('Tab');
    await page.keyboard.type('overlook');
    await page.getByTestId('check-form-header-add').click();
    await page.getByTestId('check-form-header-name-1').fill('X-Api-Key');
    await expect(page.getByTestId('check-form-header-value-1')).toHaveAttribute('type', 'password');
    await page.getByTestId('check-form-header-value-1').fill(API_KEY);
    // A hop-by-hop header is refused on its field.
    await page.getByTestId('check-form-header-add').click();
    await page.getByTestId('check-form-header-name-2').fill('Connection');
    await page.getByTestId('check-form-header-value-2').fill('keep-alive');
    await page.getByTestId('check-form-header-value-2').blur();
    await expect(page.getByTestId('check-form-error-headers')).toBeVisible();
    await page.getByTestId('check-form-header-remove-2').click();
    await expect(page.getByTestId('check-form-error-headers')).toHaveCount(0);
    await page.getByTestId('check-form-authType').selectOption('basic');
    await page.getByTestId('check-form-authUsername').fill('probe');
    await page.getByTestId('check-form-authSecret').fill(PASSWORD);
    await page.getByTestId('check-form').screenshot({ path: screenshotPath('checks-dialog-headers-auth-light') });
  });
  await expect(row(page, 'api-auth')).toHaveAttribute('data-state', 'up', { timeout: 20_000 });
  await expect(vantage(page, 'api-auth', 'console')).toContainText('HTTP 200');
  const got = web.site.requests.filter((r) => r.url === '/auth').at(-1)!.headers;
  expect([got['x-probe'], got['x-api-key']]).toEqual(['overlook', API_KEY]);

  // Editing: the stored secrets come back only as "set"; saving without retyping keeps them.
  await row(page, 'api-auth').getByTestId('check-edit').click();
  await expect(page.getByTestId('check-form-header-value-0')).toHaveValue('overlook');
  await expect(page.getByTestId('check-form-header-value-1')).toHaveValue('');
  await expect(page.getByTestId('check-form-header-value-1')).toHaveAttribute('placeholder', /set/);
  await expect(page.getByTestId('check-form-authUsername')).toHaveValue('probe');
  await expect(page.getByTestId('check-form-authSecret')).toHaveValue('');
  await expect(page.getByTestId('check-form-authSecret')).toHaveAttribute('placeholder', /set \(stored\)/);
  await expect(page.getByTestId('check-form-auth')).toContainText('Set (stored) — leave empty to keep');
  expect(await page.content()).not.toContain(PASSWORD);
  expect(await page.content()).not.toContain(API_KEY);
  await page.getByTestId('check-form').screenshot({ path: screenshotPath('checks-dialog-headers-auth-edit-light') });
  await page.getByTestId('check-form-save').click();
  await expect(page.getByTestId('check-form')).toHaveCount(0);
  await row(page, 'api-auth').getByTestId('check-run').click();
  await expect(row(page, 'api-auth').getByTestId('check-tested')).toBeVisible();
  await expect(row(page, 'api-auth')).toHaveAttribute('data-state', 'up');

  // A wrong password: down, the status said in words.
  await row(page, 'api-auth').getByTestId('check-edit').click();
  await page.getByTestId('check-form-authSecret').fill('wrong');
  await page.getByTestId('check-form-save').click();
  await expect(row(page, 'api-auth')).toHaveAttribute('data-state', 'down', { timeout: 20_000 });
  await expect(row(page, 'api-auth').getByTestId('check-reason')).toHaveText('Unexpected status code');
  await row(page, 'api-auth').getByTestId('check-edit').click();
  await page.getByTestId('check-form-authSecret').fill(PASSWORD);
  await page.getByTestId('check-form-save').click();
  await expect(row(page, 'api-auth')).toHaveAttribute('data-state', 'up', { timeout: 20_000 });
});

test('from an SSH host in a network namespace: up from the host, refused from this console', async ({ page }) => {
  await open(page, '#/checks');
  await addCheck(page, 'http', 'inside-only', `http://127.0.0.1:${INNER_PORT}/`, async () => {
    await page.getByTestId(`check-form-vantage-${HOST}`).check();
  });
  await expect(vantage(page, 'inside-only', HOST)).toHaveAttribute('data-state', 'up', { timeout: 40_000 });
  await expect(vantage(page, 'inside-only', HOST)).toContainText('HTTP 200');
  await expect(vantage(page, 'inside-only', 'console')).toHaveAttribute('data-state', 'down');
  await expect(vantage(page, 'inside-only', 'console').getByTestId('check-reason')).toHaveText('Connection refused');
  await page.screenshot({ path: screenshotPath('checks-kinds-screen-light'), fullPage: true });
});

test('in Chinese and dark: reasons in Chinese, no English left, the dialog with headers and auth', async ({ page }) => {
  for (const [lang, theme] of [
    ['en', 'dark'],
    ['zh-CN', 'light'],
    ['zh-CN', 'dark'],
  ] as const) {
    await open(page, '#/checks', { lang, theme });
    await expect(row(page, 'port-closed')).toHaveAttribute('data-state', 'down');
    if (lang === 'zh-CN') {
      await expect(row(page, 'port-closed').getByTestId('check-reason')).toHaveText('连接被拒绝');
      await expect(row(page, 'tls-expired').getByTestId('check-reason')).toHaveText('证书已过期');
      await expect(vantage(page, 'inside-only', 'console').getByTestId('check-reason')).toHaveText('连接被拒绝');
      await language.expectNoEnglish(page, 'checks');
    }
    await page.screenshot({ path: screenshotPath(`checks-kinds-screen-${lang}-${theme}`), fullPage: true });
    await row(page, 'api-auth').getByTestId('check-edit').click();
    await expect(page.getByTestId('check-form-header-row')).toHaveCount(2);
    if (lang === 'zh-CN') await language.expectNoEnglish(page, 'check dialog with headers and auth');
    await page.getByTestId('check-form').screenshot({ path: screenshotPath(`checks-dialog-headers-auth-${lang}-${theme}`) });
    await page.keyboard.press('Escape');
  }
});

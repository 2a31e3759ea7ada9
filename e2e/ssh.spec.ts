// Remote hosts against a real OpenSSH sshd on loopback (started with the SSH
// layer's test harness; needs root, as in CI): the host is added through the
// dialog with a password, its unknown key is trusted from the fingerprint
// prompt, and its live charts grow. Then the detail screen's settings panel
// pauses and removes it.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from '@playwright/test';
import { repoRoot, screenshotPath, startConsole, type RunningConsole, fromDist, loadSshHarness, type SshHarness } from './console.js';
import type { SshServer } from '../main/testing/sshServers.js';

interface KnownHosts {
  sha256Fingerprint(blob: string): string;
}

const PORT = 22290;
const PORT2 = 22291;
let harness: SshHarness;
let server: SshServer;
let server2: SshServer;
let user: { name: string; password: string };
let console_: RunningConsole;

test.beforeAll(async () => {
  harness = await loadSshHarness();
  user = await harness.ensureTestUser();
  server = await harness.startSshd({ port: PORT });
  // A second server, with a key of its own.
  server2 = await harness.startSshd({ port: PORT2 });
  console_ = await startConsole();
});

test.afterAll(async () => {
  await console_?.stop();
  await server?.stop();
  await server2?.stop();
});

test('add an SSH host in the UI, trust its key, watch it live, pause and remove it', async ({ page }) => {
  const { sha256Fingerprint } = await fromDist<KnownHosts>('core/ssh/knownHosts.js');
  const fingerprint = sha256Fingerprint(server.hostKey().blob);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(console_.url);
  await expect(page.getByTestId('overview')).toBeVisible();

  // The dialog checks fields as they are left; the name follows the address until it is edited.
  await page.getByTestId('add-host').click();
  const dialog = page.getByTestId('host-form');
  await expect(dialog).toBeVisible();
  await page.getByTestId('host-form-host').pressSequentially('10.0.0.5');
  await expect(page.getByTestId('host-form-name')).toHaveValue('10.0.0.5');
  await page.getByTestId('host-form-name').fill('lab 1');
  await page.getByTestId('host-form-port').fill('70000');
  await page.getByTestId('host-form-host').click();
  await expect(page.getByTestId('host-form-error-name')).toBeVisible();
  await expect(page.getByTestId('host-form-error-port')).toContainText('1 and 65535');

  await page.getByTestId('host-form-name').fill('lab-1');
  await page.getByTestId('host-form-host').fill('127.0.0.1');
  await page.getByTestId('host-form-port').fill(String(PORT));
  await page.getByTestId('host-form-user').fill(user.name);
  await page.getByTestId('host-form-auth-password').check();
  await page.getByTestId('host-form-password').fill(user.password);
  await page.getByTestId('host-form-interval').fill('1');
  await page.getByTestId('host-form-tags').fill('lab, e2e');
  await expect(page.getByTestId('host-form-error-name')).toHaveCount(0);

  // An edited name stays when the address changes.
  await expect(page.getByTestId('host-form-name')).toHaveValue('lab-1');

  // Test connection: resolves, connects, and asks about the unknown host key, showing it (a question, not a failure).
  await page.getByTestId('host-form-test').click();
  const report = page.getByTestId('host-test-report');
  await expect(report).toHaveAttribute('data-state', 'ask');
  await expect(report.locator('[data-step="connect"]')).toHaveAttribute('data-ok', 'true');
  await expect(report.locator('[data-step="host_key"]')).toHaveAttribute('data-ok', 'false');
  await expect(page.getByTestId('host-test-fingerprint')).toHaveText(fingerprint);
  await expect(report.locator('.form-error')).toHaveCount(0);
  await dialog.screenshot({ path: screenshotPath('ssh-add-dialog') });
  // Saved without trusting it there: the host asks on its own screen.

  await page.getByTestId('host-form-save').click();
  await expect(dialog).toHaveCount(0);
  await expect(page).toHaveURL(/#\/hosts\/lab-1/);

  // The unknown key is shown with its fingerprint and must be trusted by hand.
  const prompt = page.getByTestId('hostkey-prompt');
  await expect(prompt).toHaveAttribute('data-state', 'unknown');
  await expect(page.getByTestId('hostkey-fingerprint')).toHaveText(fingerprint);
  await expect(prompt).toContainText('ssh-keygen -lf');
  await page.screenshot({ path: screenshotPath('ssh-fingerprint-prompt') });
  await page.getByTestId('hostkey-trust').click();
  await expect(prompt).toHaveCount(0);
  await expect(page.getByTestId('host-detail').locator('[data-status="online"]').first()).toBeVisible();

  // Live charts: the CPU chart gains points as samples arrive.
  const cpu = page.getByTestId('chart-cpu-mode');
  await expect.poll(async () => Number(await cpu.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(1);
  const before = Number(await cpu.getAttribute('data-points'));
  await expect.poll(async () => Number(await cpu.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(before);
  await expect(page.getByTestId('host-address')).toHaveText(`${user.name}@127.0.0.1:${PORT}`);
  await page.screenshot({ path: screenshotPath('ssh-host-detail'), fullPage: false });

  // The password is in no file of the data dir as text (the secret store encrypts it).
  const hostsJson = fs.readFileSync(path.join(console_.dataDir, 'hosts.json'), 'utf8');
  expect(hostsJson).toContain('"lab-1"');
  for (const f of fs.readdirSync(console_.dataDir)) {
    const file = path.join(console_.dataDir, f);
    if (fs.statSync(file).isFile()) expect(fs.readFileSync(file).toString('latin1')).not.toContain(user.password);
  }
  expect(console_.output()).not.toContain(user.password);

  // Pause and resume from the settings panel.
  await page.getByTestId('host-pause').click();
  await expect(page.getByTestId('host-detail').locator('[data-status="paused"]').first()).toBeVisible();
  await page.getByTestId('host-pause').click();
  await expect(page.getByTestId('host-detail').locator('[data-status="online"]').first()).toBeVisible();

  // Remove, behind a confirmation: back on the overview, the host is gone.
  await page.getByTestId('host-remove').click();
  await page.getByTestId('host-remove-confirm').click();
  await expect(page).toHaveURL(/#\/$|#\/?$|#\/overview/);
  // Its history stays: the card turns into a read-only "not configured" one.
  await expect(page.locator('[data-testid="host-card"][data-host-id="lab-1"]')).toContainText('Not configured');
  await expect(page.locator('[data-testid="host-card"][data-host-id="lab-1"]')).toHaveAttribute('data-status', 'not_configured');
  await expect.poll(async () => (await harness.pgrepUser(user.name, '.cache/overlook/agent-')).length, { timeout: 15_000 }).toBe(0);
});

test('Test connection at an unknown host key: trust the fingerprint shown there and the test goes on to the login; the saved host needs no more', async ({ page }) => {
  const { sha256Fingerprint } = await fromDist<KnownHosts>('core/ssh/knownHosts.js');
  const fingerprint = sha256Fingerprint(server2.hostKey().blob);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(console_.url);
  await page.getByTestId('add-host').click();
  const dialog = page.getByTestId('host-form');
  await page.getByTestId('host-form-host').pressSequentially('127.0.0.1');
  await expect(page.getByTestId('host-form-name')).toHaveValue('127.0.0.1');
  await page.getByTestId('host-form-port').fill(String(PORT2));
  await page.getByTestId('host-form-user').fill(user.name);
  await page.getByTestId('host-form-auth-password').check();
  await page.getByTestId('host-form-password').fill(user.password);
  await page.getByTestId('host-form-test').click();
  const report = page.getByTestId('host-test-report');
  await expect(report).toHaveAttribute('data-state', 'ask');
  await expect(page.getByTestId('host-test-fingerprint')).toHaveText(fingerprint);
  await page.getByTestId('host-test-trust-button').click();
  await expect(report).toHaveAttribute('data-state', 'ok', { timeout: 30_000 });
  for (const step of ['host_key', 'auth', 'uname', 'agent_deploy', 'agent_run']) await expect(report.locator(`[data-step="${step}"]`)).toHaveAttribute('data-ok', 'true');
  await expect(report.locator('[data-step="host_key"]')).toContainText('trusted now');
  await dialog.screenshot({ path: screenshotPath('ssh-add-dialog-trusted-dark') });
  await page.getByTestId('host-form-save').click();
  await expect(page).toHaveURL(/#\/hosts\/127\.0\.0\.1/);
  await expect(page.getByTestId('host-detail').locator('[data-status="online"]').first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('hostkey-prompt')).toHaveCount(0);
  await page.getByTestId('host-remove').click();
  await page.getByTestId('host-remove-confirm').click();
});

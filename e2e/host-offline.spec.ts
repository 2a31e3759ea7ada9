// A host offline alert end to end: an SSH host in its own network
// namespace (a real sshd behind a veth, started with the SSH layer's harness)
// is provisioned from a file with its host key pinned, together with a
// host-status rule with a short grace period. Cutting the veth (a real network
// fault) turns the host stale on the overview and fires the alert (toast and
// Alerts screen) — that alert only: the built-in "No data" is held back while
// the host is down. Bringing the link back brings the host online and
// resolves the alert, which leaves the current alerts for the history. Needs
// root (ip netns, useradd), as in CI.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from '@playwright/test';
import { repoRoot, screenshotPath, startConsole, type RunningConsole, fromDist, loadSshHarness, type SshHarness } from './console.js';
import type { NetnsHost, SshServer } from '../main/testing/sshServers.js';

interface KnownHosts {
  sha256Fingerprint(blob: string): string;
}

// Namespace ovl-ssh71 (10.200.71.2) and this port are used by no other test.
const NETNS_NUMBER = 71;
const PORT = 22371;
const HOST = 'lab-cut';
const RULE = 'lab-cut unreachable';

let harness: SshHarness;
let netns: NetnsHost | undefined;
let server: SshServer | undefined;
let dir: string | undefined;
let console_: RunningConsole | undefined;

test.beforeAll(async () => {
  harness = await loadSshHarness();
  const { sha256Fingerprint } = await fromDist<KnownHosts>('core/ssh/knownHosts.js');
  const user = await harness.ensureTestUser();
  dir = harness.makeTempDir('e2e-offline');
  const key = await harness.makeKeyPair(dir, 'id_ed25519');
  netns = await harness.createNetnsHost(NETNS_NUMBER);
  server = await harness.startSshd({ port: PORT, listenAddress: netns.address, netns: netns.name, authorizedKeys: [key.publicKey] });
  const file = path.join(dir, 'overlook.yaml');
  // The built-in "Host offline" rule waits 60 s; this rule, limited to the
  // test host, waits 2 s so the test does not sit through that grace period.
  fs.writeFileSync(
    file,
    `version: 1
settings:
  poll_interval: 1s
alerts:
  - name: ${RULE}
    type: host_status
    statuses: [offline, stale]
    host_pattern: ${HOST}
    for: 2s
    severity: critical
    summary: "Host {{host}} is {{status}}"
    channels: [desktop]
hosts:
  - name: ${HOST}
    address: ${user.name}@${netns.address}:${PORT}
    key_file: ${key.privateKeyPath}
    host_key: ${sha256Fingerprint(server.hostKey().blob)}
    interval: 1s
`,
  );
  console_ = await startConsole({ args: ['--config', file] });
});

test.afterAll(async () => {
  // Each step runs even when an earlier one (or the test) failed.
  await console_?.stop().catch(() => undefined);
  await server?.stop().catch(() => undefined);
  await netns?.remove().catch(() => undefined);
  if (dir) harness.removeTempDir(dir);
});

test('cutting an SSH host off fires the host offline alert; restoring the link resolves it', async ({ page }) => {
  test.setTimeout(120_000);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(console_!.url);
  await expect(page.getByTestId('overview')).toBeVisible();

  const card = page.locator(`[data-testid="host-card"][data-host-id="${HOST}"]`);
  await expect(card).toHaveAttribute('data-status', 'online', { timeout: 30_000 });

  // No alert while the host is up.
  await page.getByTestId('nav-alerts').click();
  await expect(page.getByTestId('alerts-screen')).toBeVisible();
  const rule = page.getByTestId('rule-row').filter({ hasText: RULE });
  await expect(rule.getByTestId('provisioned-badge')).toBeVisible();
  const row = page.getByTestId('alert-row').filter({ hasText: RULE });
  await expect(row).toHaveCount(0);

  // A real network fault: our side of the veth goes down.
  await netns!.cut();
  await page.locator('a.brand').click();
  await expect(card).toHaveAttribute('data-status', /^(stale|offline)$/, { timeout: 20_000 });
  // Its last values are old, and look it: muted, with when they are from.
  await expect(card).toHaveAttribute('data-stale', 'true');
  await expect(card.getByTestId('host-card-last-seen')).toContainText(/Last seen (now|\d+ sec\. ago)/);
  await expect(card.locator('.host-card-metrics')).toHaveCSS('opacity', '0.5');
  // Its status detail (why it is not online) is readable: up to three lines, all of it on hover.
  const detail = card.getByTestId('host-card-detail');
  await expect(detail).toBeVisible();
  expect(await detail.getAttribute('title')).toBe((await detail.textContent())!.trim());
  await expect(detail).toHaveCSS('white-space', 'normal');
  await page.screenshot({ path: screenshotPath('host-offline-overview') });
  await page.getByTestId('view-table').click();
  const tableRow = page.locator(`[data-testid="fleet-row"][data-host-id="${HOST}"]`);
  await expect(tableRow).toHaveAttribute('data-stale', 'true');
  await expect(tableRow.getByTestId('fleet-last-seen')).toBeVisible();
  await expect(tableRow.locator('.fleet-cell--cpu')).toHaveCSS('opacity', '0.5');
  await expect(page.locator('[data-testid="fleet-row"][data-host-id="local"]')).toHaveAttribute('data-stale', 'false');
  await page.screenshot({ path: screenshotPath('host-offline-overview-table') });
  await page.getByTestId('view-cards').click();

  // The alert fires after its 2 s grace: an in-app toast, then the Alerts screen.
  const toast = page.getByTestId('toast').filter({ hasText: RULE }).filter({ hasText: HOST });
  await expect(toast.first()).toBeVisible({ timeout: 30_000 });
  await expect(toast.first()).toHaveAttribute('data-status', 'firing');
  const cutAt = Date.now();
  await page.getByTestId('nav-alerts').click();
  await expect(row).toHaveAttribute('data-status', 'firing', { timeout: 20_000 });
  await expect(row).toContainText(HOST);
  await expect.poll(async () => Number(await page.getByTestId('alerts-badge').textContent())).toBeGreaterThanOrEqual(1);
  await page.screenshot({ path: screenshotPath('host-offline-alert-firing'), fullPage: true });

  // Only that alert: "No data" for the cut host neither fires nor pops up, past its
  // window (3 polls) and the grouping delay (10 s).
  const noData = page.locator('[data-testid="alert-row"][data-rule="No data"]');
  while (Date.now() - cutAt < 20_000) {
    await expect(noData).toHaveCount(0);
    await expect(page.getByTestId('toast').filter({ hasText: /\] No data/ })).toHaveCount(0);
    await page.waitForTimeout(500);
  }

  // The link comes back: the host is online again and the alert resolves: out of the current list, into the history.
  await netns!.restore();
  await expect(row).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('history-table')).toContainText(RULE);
  await expect(page.getByTestId('history-table').getByRole('cell', { name: 'No data', exact: true })).toHaveCount(0);
  await expect(page.getByTestId('toast').filter({ hasText: RULE }).and(page.locator('[data-status="resolved"]'))).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: screenshotPath('host-offline-alert-resolved'), fullPage: true });
  await page.locator('a.brand').click();
  await expect(card).toHaveAttribute('data-status', 'online', { timeout: 30_000 });
  await expect(card).toHaveAttribute('data-stale', 'false');
  await expect(card.getByTestId('host-card-last-seen')).toHaveCount(0);

  // Its charts show the outage as one shaded band with one label, not a line and a label per status change.
  await card.click();
  const cpu = page.getByTestId('chart-cpu-mode');
  await expect.poll(async () => Number(await cpu.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(2);
  await expect(cpu.locator('.outage-band')).toHaveCount(1, { timeout: 30_000 });
  const bandLabel = cpu.locator('.recharts-label').filter({ hasText: /^(Offline|Stale) · / });
  await expect(bandLabel).toHaveCount(1);
  // As long as the cut (seconds), not from the window's start: the console's own start is no outage.
  await expect(bandLabel).toHaveText(/^(Offline|Stale) · (\d+s|[12]m( \d+s)?)$/);
  // No status text on the lines: the band says it once.
  await expect(cpu.locator('.recharts-reference-line').filter({ hasText: /Offline|Stale|Connecting|Online/ })).toHaveCount(0);
  await cpu.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: screenshotPath('host-offline-outage-band'), fullPage: true });
  await cpu.screenshot({ path: screenshotPath('host-offline-outage-band-chart') });
});

// The walking skeleton end to end: the local host, live, in Chromium, behind the token.
import { expect, test } from '@playwright/test';
import WebSocket from 'ws';
import { screenshotPath, startConsole, type RunningConsole } from './console.js';

let console_: RunningConsole;

test.beforeAll(async () => {
  console_ = await startConsole();
});

test.afterAll(async () => {
  await console_?.stop();
});

test('refuses HTTP requests without the token, with a wrong token, or from another site', async ({ request }) => {
  const bare = await request.get(`${console_.origin}/`, { maxRedirects: 0 });
  expect(bare.status()).toBe(401);
  expect(await bare.text()).toContain('token');
  const asset = await request.get(`${console_.origin}/index.html`, { maxRedirects: 0 });
  expect(asset.status()).toBe(401);
  const wrong = await request.get(`${console_.origin}/?token=not-the-token`, { maxRedirects: 0 });
  expect(wrong.status()).toBe(401);
  const rebound = await request.get(`${console_.origin}/?token=${console_.token}`, { maxRedirects: 0, headers: { Host: 'evil.example:80' } });
  expect(rebound.status()).toBe(403);
  const good = await request.get(console_.url, { maxRedirects: 0 });
  expect(good.status()).toBe(302);
  expect(good.headers()['set-cookie']).toMatch(/HttpOnly/);
});

async function wsOutcome(url: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(`http ${res.statusCode}`));
    ws.on('error', (err) => resolve(`error ${err.message}`));
  });
}

test('refuses WebSocket connections without the token or from a foreign Origin', async () => {
  const wsBase = console_.origin.replace('http', 'ws');
  expect(await wsOutcome(`${wsBase}/rpc`)).toBe('http 401');
  expect(await wsOutcome(`${wsBase}/rpc?token=${console_.token}`, { Origin: 'http://evil.example' })).toBe('http 403');
  expect(await wsOutcome(`${wsBase}/rpc?token=${console_.token}`, { Origin: console_.origin })).toBe('open');
});

test('the local host appears live, its detail charts update, and the range switches', async ({ page }) => {
  await page.goto(console_.url);
  // The token was traded for a cookie and removed from the address bar.
  await expect(page).not.toHaveURL(/token=/);
  const card = page.getByTestId('host-card').filter({ hasText: 'local' });
  await expect(card).toHaveAttribute('data-status', 'online', { timeout: 30_000 });
  await page.screenshot({ path: screenshotPath('overview'), fullPage: true });

  await card.click();
  const detail = page.getByTestId('host-detail');
  await expect(detail).toBeVisible();
  const cpu = page.getByTestId('chart-cpu-mode');
  await expect(cpu).toBeVisible();
  // Live: the CPU chart gains points as samples arrive.
  await expect.poll(async () => Number(await cpu.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  const before = Number(await cpu.getAttribute('data-points'));
  await expect.poll(async () => Number(await cpu.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(before);
  for (const key of ['load', 'memory', 'filesystems', 'network']) {
    await expect(page.getByTestId(`chart-${key}`)).toBeVisible();
  }
  // From /proc/net/snmp, sockstat, file-nr and /proc/pressure (this kernel has PSI): drawn from the agent's samples.
  for (const key of ['sockets', 'tcp-retransmits', 'pressure']) {
    await expect.poll(async () => Number(await page.getByTestId(`chart-${key}`).getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
  }
  await expect(page.getByTestId('processes-table')).toBeVisible();
  await expect(page.getByTestId('processes-table').locator('tbody tr').first()).toBeVisible();
  await page.screenshot({ path: screenshotPath('host-detail-15m'), fullPage: true });

  const oneHour = page.getByTestId('range-1h');
  await oneHour.click();
  await expect(oneHour).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('range-15m')).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(async () => Number(await cpu.getAttribute('data-points'))).toBeGreaterThanOrEqual(1);
  await page.screenshot({ path: screenshotPath('host-detail-1h'), fullPage: true });
});

test('a page opened without the token shows the refusal, not the console', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const response = await page.goto(`${console_.origin}/`);
  expect(response?.status()).toBe(401);
  await expect(page.locator('body')).toContainText('token');
  await expect(page.getByTestId('host-card')).toHaveCount(0);
  await page.screenshot({ path: screenshotPath('refused-without-token') });
  await context.close();
});

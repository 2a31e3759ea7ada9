// The desktop app as far as it runs without the Electron binary: the real
// shell (dist/main/electron/shell.js) and core in this process, behind the
// fake Electron (main/testing/fakeElectron.ts), whose windows are Chromium
// pages. Each page loads the built UI from file:// as BrowserWindow.loadFile
// does, and the compiled preload (dist/preload/preload.cjs) runs in it with
// `contextBridge` and `ipcRenderer` standing in for Electron's: so the
// renderer's IPC transport talks to serveRpc through the preload bridge and
// the shell's port, with frames structured-cloned both ways as Electron's IPC
// does. What this cannot show (Electron's isolated world, its file:
// protocol, the OS keychain, tray and notifications) is listed in the README.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { fromDist, fromTestSupport, repoRoot, screenshotPath } from './console.js';
import { languageCheck } from './languageCheck.js';

// The e2e project compiles without the DOM library; these run in the page.
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any

// What this spec uses of the fake (main/testing/fakeElectron.ts) and the shell, loaded from dist-test/ and dist/.
interface FakeWindow {
  visible: boolean;
  webContents: { sendFromPage(channel: string, payload: unknown): void };
  close(): void;
}
interface FakeWindowBackend {
  loadFile(win: FakeWindow, file: string, hash: string | undefined): Promise<void>;
  deliver(win: FakeWindow, channel: string, payload: unknown): void;
  executeJavaScript(win: FakeWindow, code: string): Promise<unknown>;
}
interface FakeElectron {
  readonly api: unknown;
  readonly options: { userData: string };
  readonly windows: FakeWindow[];
  readonly notifications: { options: { title?: string }; click(): void }[];
  exitCode?: number;
  ready(): void;
  quit(): void;
  openWindow(): FakeWindow | undefined;
}
type FakeElectronClass = new (options: { userData: string; keychain: 'available' | 'unavailable'; windowBackend: FakeWindowBackend }) => FakeElectron;
type StartDesktopShell = (
  electron: unknown,
  options: { argv: string[]; env: Record<string, string>; platform: string; log: unknown; quitTimeoutMs: number },
) => { ready: Promise<string> };
type CreateMemoryLogger = () => { lines: string[] };

// Electron lets file: pages load their own files (it registers file: as a privileged scheme); Chromium needs this switch.
test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--allow-file-access-from-files'],
  },
});

const preloadSource = fs.readFileSync(path.join(repoRoot, 'dist', 'preload', 'preload.cjs'), 'utf8');

/**
 * Runs the compiled preload at document start with stand-ins for what a sandboxed
 * preload may require: `contextBridge` (the page gets a frozen copy of the API whose
 * arguments are cloned, as across the isolated-world bridge) and `ipcRenderer`
 * (frames out through a binding to this process, frames in through __ovlIpcDeliver).
 */
function preloadHarness(source: string): string {
  return `(() => {
  const listeners = new Map();
  const ipcRenderer = {
    send(channel, payload) { window.__ovlIpcSend(channel, structuredClone(payload)); },
    on(channel, listener) { if (!listeners.has(channel)) listeners.set(channel, new Set()); listeners.get(channel).add(listener); return ipcRenderer; },
    removeListener(channel, listener) { listeners.get(channel)?.delete(listener); return ipcRenderer; },
  };
  Object.defineProperty(window, '__ovlIpcDeliver', { value: (channel, payload) => { for (const l of [...(listeners.get(channel) ?? [])]) l({ senderId: 0 }, payload); } });
  const contextBridge = {
    exposeInMainWorld(key, api) {
      const bridged = {};
      for (const [name, value] of Object.entries(api)) {
        bridged[name] = typeof value === 'function' ? (...args) => value(...args.map((a) => (typeof a === 'function' ? a : structuredClone(a)))) : structuredClone(value);
      }
      Object.defineProperty(window, key, { value: Object.freeze(bridged), enumerable: true });
    },
  };
  const require = (name) => {
    if (name !== 'electron') throw new Error('a sandboxed preload can require only electron, not ' + name);
    return { contextBridge, ipcRenderer };
  };
  const module = { exports: {} };
  (function (exports, require, module) {
${source}
  })(module.exports, require, module);
})();`;
}

interface Harness {
  fake: FakeElectron;
  /** WebSocket URLs any page opened (the desktop UI must use the bridge, not a socket). */
  websockets: string[];
  page(win?: FakeWindow): Page;
  stop(): Promise<void>;
}

async function startDesktop(browser: import('@playwright/test').Browser, options: { keychain: 'available' | 'unavailable'; config?: string }): Promise<Harness> {
  const { FakeElectron } = await fromTestSupport<{ FakeElectron: FakeElectronClass }>('fakeElectron.js');
  const { startDesktopShell } = await fromDist<{ startDesktopShell: StartDesktopShell }>('electron/shell.js');
  const { createMemoryLogger } = await fromDist<{ createMemoryLogger: CreateMemoryLogger }>('core/log.js');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-e2e-desktop-'));
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const pages = new Map<FakeWindow, Page>();
  const websockets: string[] = [];
  const backend: FakeWindowBackend = {
    async loadFile(win, file, hash) {
      const page = await context.newPage();
      pages.set(win, page);
      page.on('websocket', (ws) => websockets.push(ws.url()));
      await page.exposeBinding('__ovlIpcSend', (_source, channel: string, payload: unknown) => win.webContents.sendFromPage(channel, payload));
      await page.addInitScript({ content: preloadHarness(preloadSource) });
      await page.goto(pathToFileURL(file).href + (hash ? `#${hash}` : ''));
    },
    deliver(win, channel, payload) {
      const page = pages.get(win);
      // Before the page exists nothing listens, as in Electron.
      if (page && !page.isClosed()) page.evaluate(([c, p]) => window.__ovlIpcDeliver(c, p), [channel, payload] as const).catch(() => undefined);
    },
    executeJavaScript(win, code) {
      return pages.get(win)!.evaluate(code);
    },
  };
  const fake = new FakeElectron({ userData: dataDir, keychain: options.keychain, windowBackend: backend });
  let configFile: string | undefined;
  if (options.config) {
    configFile = path.join(dataDir, 'overlook.yaml');
    fs.writeFileSync(configFile, options.config);
  }
  const log = createMemoryLogger();
  const shell = startDesktopShell(fake.api, { argv: configFile ? [`--config=${configFile}`] : [], env: {}, platform: 'linux', log, quitTimeoutMs: 20_000 });
  fake.ready();
  expect(await shell.ready).toBe('running');
  return {
    fake,
    websockets,
    page: (win) => {
      const page = pages.get(win ?? fake.openWindow()!);
      if (!page) throw new Error('that window has no page yet');
      return page;
    },
    async stop() {
      if (fake.exitCode === undefined) {
        fake.quit();
        await expect.poll(() => fake.exitCode, { timeout: 30_000 }).toBe(0);
      }
      await context.close();
      expect(log.lines.join('\n')).not.toMatch(/hunter2/);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

test('the renderer runs over the preload bridge: local online, Settings and secret fields say there is no keychain, in both languages and themes', async ({ browser }) => {
  test.setTimeout(180_000);
  const desktop = await startDesktop(browser, { keychain: 'unavailable' });
  try {
    await expect.poll(() => desktop.fake.windows.length).toBe(1);
    await expect.poll(() => desktop.fake.openWindow()?.visible, { timeout: 30_000 }).toBe(true);
    const page = desktop.page();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });

    // The bridge is all the page has: two functions, frozen; no Node, no require.
    expect(await page.evaluate(() => ({ keys: Object.keys(window.overlook), frozen: Object.isFrozen(window.overlook), require: typeof window.require, process: typeof window.process }))).toEqual({
      keys: ['send', 'onFrame'],
      frozen: true,
      require: 'undefined',
      process: 'undefined',
    });

    // Live data from the real local agent, over IPC (no WebSocket is opened).
    const card = page.getByTestId('host-card').filter({ hasText: 'local' });
    await expect(card).toHaveAttribute('data-status', 'online', { timeout: 30_000 });
    await expect(page.getByTestId('connection-banner')).toHaveCount(0);
    await page.screenshot({ path: screenshotPath('desktop-overview'), fullPage: true });

    await page.getByTestId('nav-settings').click();
    await expect(page.getByTestId('secrets-fallback')).toHaveAttribute('data-reason', 'no_keychain');
    await expect(page.getByTestId('secrets-key-file')).toHaveText(path.join(desktop.fake.options.userData, 'secret.key'));
    await expect(page.getByTestId('settings-export').getByTestId('secret-storage-note')).toBeVisible();
    await page.screenshot({ path: screenshotPath('desktop-settings-no-keychain-light'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.screenshot({ path: screenshotPath('desktop-settings-no-keychain-dark'), fullPage: true });
    await page.getByTestId('lang-toggle').click();
    await expect(page.getByTestId('settings-secrets')).toContainText('密钥存储');
    await (await languageCheck()).expectNoEnglish(page, 'desktop settings without a keychain');
    await page.screenshot({ path: screenshotPath('desktop-settings-no-keychain-dark-zh-CN'), fullPage: true });
    await page.getByTestId('lang-toggle').click();
    await page.emulateMedia({ colorScheme: 'light' });

    // Where a secret is entered: the host dialog, and a password saved through the bridge goes to the key file.
    await page.locator('a.brand').click();
    await page.getByTestId('add-host').click();
    await page.getByTestId('host-form-auth-password').check({ force: true });
    const note = page.getByTestId('host-form').getByTestId('secret-storage-note');
    await expect(note).toContainText('No keychain on this desktop');
    await page.screenshot({ path: screenshotPath('desktop-host-form-no-keychain') });
    await page.getByTestId('host-form-name').fill('lab-1');
    await page.getByTestId('host-form-host').fill('127.0.0.1');
    await page.getByTestId('host-form-user').fill('ops');
    await page.getByTestId('host-form-password').fill('hunter2-desktop');
    await page.getByTestId('host-form-enabled').uncheck();
    await page.getByTestId('host-form-save').click();
    await expect(page.getByTestId('host-form')).toHaveCount(0);
    const secrets = JSON.parse(fs.readFileSync(path.join(desktop.fake.options.userData, 'secrets.json'), 'utf8')) as { cipher: string; secrets: Record<string, string> };
    expect(secrets.cipher).toBe('aes-256-gcm');
    expect(Object.keys(secrets.secrets)).toContain('host:lab-1:password');
    expect(await page.content()).not.toContain('hunter2');
    expect(consoleErrors).toEqual([]);
    expect(desktop.websockets).toEqual([]);
  } finally {
    await desktop.stop();
  }
});

test('with a keychain the Settings screen says so and secret fields carry no warning', async ({ browser }) => {
  const desktop = await startDesktop(browser, { keychain: 'available' });
  try {
    await expect.poll(() => desktop.fake.openWindow()?.visible, { timeout: 30_000 }).toBe(true);
    const page = desktop.page();
    await page.getByTestId('nav-settings').click();
    await expect(page.getByTestId('secrets-kind')).toHaveText('The OS keychain (gnome_libsecret)');
    await expect(page.getByTestId('secrets-fallback')).toHaveCount(0);
    await expect(page.getByTestId('secret-storage-note')).toHaveCount(0);
    await page.screenshot({ path: screenshotPath('desktop-settings-keychain'), fullPage: true });
  } finally {
    await desktop.stop();
  }
});

test('an alert pops up; its click opens the alerts screen in the page, also after the window was closed to the tray', async ({ browser }) => {
  test.setTimeout(180_000);
  const config = [
    'version: 1',
    'settings:',
    '  poll_interval: 1s',
    'alerts:',
    '  - name: load seen',
    '    selector: node_load1{host="local"}',
    '    aggregate: last',
    '    window: 1m',
    '    op: ">="',
    '    threshold: 0',
    '    for: 0s',
    '    severity: warning',
    '    channels: [desktop]',
    '',
  ].join('\n');
  const desktop = await startDesktop(browser, { keychain: 'available', config });
  try {
    await expect.poll(() => desktop.fake.openWindow()?.visible, { timeout: 30_000 }).toBe(true);
    const first = desktop.fake.openWindow()!;
    await expect(desktop.page(first).getByTestId('host-card').filter({ hasText: 'local' })).toHaveAttribute('data-status', 'online', { timeout: 30_000 });
    await expect.poll(() => desktop.fake.notifications.length, { timeout: 60_000 }).toBeGreaterThan(0);
    const notification = desktop.fake.notifications[0]!;
    expect(notification.options.title).toContain('load seen');

    notification.click();
    await expect(desktop.page(first).getByTestId('alerts-screen')).toBeVisible();
    await expect(desktop.page(first).getByTestId('alerts-screen')).toContainText('load seen');

    await desktop.page(first).close();
    first.close();
    notification.click();
    await expect.poll(() => desktop.fake.openWindow() !== undefined && desktop.fake.openWindow() !== first, { timeout: 30_000 }).toBe(true);
    const second = desktop.fake.openWindow()!;
    await expect.poll(() => second.visible, { timeout: 30_000 }).toBe(true);
    await expect(desktop.page(second).getByTestId('alerts-screen')).toBeVisible();
    await desktop.page(second).screenshot({ path: screenshotPath('desktop-alerts-from-notification'), fullPage: true });
  } finally {
    await desktop.stop();
  }
});

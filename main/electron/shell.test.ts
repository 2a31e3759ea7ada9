// The desktop shell's wiring, run against the fake Electron (typed by
// electron.d.ts) with the real core behind it: window security, the RPC port
// per window, events, the tray, single instance, notifications, quitting
// without losing samples, and where secrets go with and without a keychain.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { AppInfo } from '../common/contract.js';
import { createRpcClient, type Frame, type Port } from '../common/rpc.js';
import type { RawSeries } from '../common/series.js';
import { createMemoryLogger } from '../core/log.js';
import type { HostSource, SourceEvents } from '../core/model/hostSource.js';
import type { HostObservation } from '../core/model/observation.js';
import { openMetricStore } from '../core/store/metricStore.js';
import { FakeElectron, type FakeBrowserWindow, type FakeElectronOptions } from '../testing/fakeElectron.js';
import { openDesktopSecrets } from './desktopSecrets.js';
import { ALERTS_ROUTE, APP_ID, FRAME_CHANNEL, startDesktopShell } from './shell.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

class ScriptedSource implements HostSource {
  events?: SourceEvents;
  start(events: SourceEvents) {
    this.events = events;
    events.status('connecting');
  }
  async stop() {}
}

function observation(i: number, t: number): HostObservation {
  const series: RawSeries[] = [
    { name: 'node_cpu_seconds_total', labels: { cpu: '0', mode: 'user' }, value: 100 + i, kind: 'counter' },
    { name: 'node_cpu_seconds_total', labels: { cpu: '0', mode: 'idle' }, value: 500 + i, kind: 'counter' },
    { name: 'node_load1', labels: {}, value: 1 + i, kind: 'gauge' },
  ];
  return { t, monotonicSeconds: 1000 + i, series, processes: [], facts: { hostname: 'laptop', cpus: 1 }, problems: [] };
}

const until = async (cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition') => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface StartOptions extends Partial<Omit<FakeElectronOptions, 'userData'>> {
  argv?: string[];
  userData?: string;
}

async function startShell(options: StartOptions = {}) {
  const userData = options.userData ?? tempDir('ovl-shell-');
  const fake = new FakeElectron({ ...options, userData });
  const source = new ScriptedSource();
  const log = createMemoryLogger();
  const shell = startDesktopShell(fake.api, {
    argv: options.argv ?? [],
    env: {},
    platform: options.platform ?? 'linux',
    log,
    createLocalSource: () => source,
    quitTimeoutMs: 15_000,
  });
  cleanups.push(async () => {
    if (fake.exitCode === undefined && shell.core()) {
      fake.quit();
      await until(() => fake.exitCode !== undefined, 20_000, 'the app to quit');
    }
  });
  fake.ready();
  const state = await shell.ready;
  return { fake, shell, source, log, userData, state };
}

/** The page's end of a window's IPC, as the preload exposes it to the renderer. */
function pagePort(win: FakeBrowserWindow): Port {
  return {
    send: (frame) => win.webContents.sendFromPage(FRAME_CHANNEL, frame),
    onFrame: (listener) => {
      const l = (channel: string, payload: unknown) => {
        if (channel === FRAME_CHANNEL) listener(payload as Frame);
      };
      win.webContents.pageListeners.add(l);
      return () => win.webContents.pageListeners.delete(l);
    },
  };
}

const replies = (win: FakeBrowserWindow) => win.webContents.sent.map((s) => s.payload as Frame).filter((f) => f.kind === 'res');

describe('the window', () => {
  it('is isolated and sandboxed, loads the built UI, refuses navigation, new windows and permissions, and sends web links to the browser', async () => {
    const { fake } = await startShell();
    const win = fake.openWindow()!;
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, webviewTag: false });
    expect(win.options.webPreferences!.preload).toBe(path.join(repoRoot, 'dist', 'preload', 'preload.cjs'));
    expect(win.loadedFile).toBe(path.join(repoRoot, 'dist', 'renderer', 'index.html'));
    expect(win.visible).toBe(false);
    win.paint();
    expect(win.visible && win.focused).toBe(true);

    expect(win.webContents.navigate('https://grafana.example/d/abc')).toBe(false);
    expect(win.webContents.navigate('file:///etc/passwd')).toBe(false);
    expect(win.webContents.open('https://prometheus.io/docs/')).toEqual({ action: 'deny' });
    expect(win.webContents.open('javascript:alert(1)')).toEqual({ action: 'deny' });
    expect(win.webContents.open('ovl-evil://x')).toEqual({ action: 'deny' });
    await until(() => fake.opened.length === 2);
    expect(fake.opened).toEqual(['https://grafana.example/d/abc', 'https://prometheus.io/docs/']);
    for (const permission of ['notifications', 'media', 'geolocation', 'clipboard-read', 'openExternal']) expect(win.webContents.requestPermission(permission), permission).toBe(false);
  });
});

describe('the RPC port', () => {
  it('answers the page over IPC with the same frames a socket gets, ignores garbage and other senders, and pushes events', async () => {
    const { fake, source } = await startShell();
    const win = fake.openWindow()!;
    const client = createRpcClient(pagePort(win), { timeoutMs: 5000 });
    const info = await client.call('app/info');
    expect(info).toMatchObject({ shell: 'desktop', secretStorage: { kind: 'keychain', backend: 'gnome_libsecret' } });
    await expect(client.call('hosts/inventory', { hostId: 42 } as never)).rejects.toMatchObject({ code: 'invalid_input' });

    const before = replies(win).length;
    win.webContents.sendFromPage(FRAME_CHANNEL, { kind: 'req', id: 900, method: 'app/info' }, { id: 'another webContents' });
    win.webContents.sendFromPage(FRAME_CHANNEL, 'not a frame');
    win.webContents.sendFromPage(FRAME_CHANNEL, { kind: 'req', id: 'x', method: 'app/info' });
    win.webContents.sendFromPage('some-other-channel', { kind: 'req', id: 901, method: 'app/info' });
    await client.call('hosts/list');
    expect(replies(win).length).toBe(before + 1);

    const changed: unknown[] = [];
    client.on('hosts/changed', (hosts) => changed.push(hosts));
    source.events!.observation(observation(0, Date.now()));
    await until(() => changed.some((hosts) => (hosts as { status: string }[])[0]?.status === 'online'), 5000, 'hosts/changed with local online');
    client.close();
  });

  it('gives each window its own port and lets go of a closed one', async () => {
    const { fake, source } = await startShell();
    const first = fake.openWindow()!;
    expect(fake.ipcMain.listenerCount(FRAME_CHANNEL)).toBe(1);
    first.close();
    expect(fake.exitCode).toBeUndefined();
    expect(fake.ipcMain.listenerCount(FRAME_CHANNEL)).toBe(0);
    const sentBefore = first.webContents.sent.length;
    source.events!.status('online');
    source.events!.observation(observation(0, Date.now()));
    await new Promise((r) => setTimeout(r, 100));
    expect(first.webContents.sent.length).toBe(sentBefore);

    fake.trays[0]!.emit('click');
    const second = fake.openWindow()!;
    expect(second).not.toBe(first);
    expect(fake.ipcMain.listenerCount(FRAME_CHANNEL)).toBe(1);
    const client = createRpcClient(pagePort(second), { timeoutMs: 5000 });
    expect((await client.call('hosts/list'))[0]).toMatchObject({ id: 'local' });
    client.close();
  });
});

describe('the tray and the single instance', () => {
  it('offers Show and Quit in the OS language and brings a closed window back', async () => {
    const { fake } = await startShell();
    const tray = fake.trays[0]!;
    expect(tray.tooltip).toBe('Overlook');
    expect(tray.labels()).toEqual(['Show Overlook', '-', 'Quit Overlook']);
    fake.openWindow()!.close();
    expect(fake.openWindow()).toBeUndefined();
    tray.pick('Show Overlook');
    expect(fake.openWindow()).toBeDefined();

    const zh = await startShell({ locale: 'zh-CN' });
    expect(zh.fake.trays[0]!.labels()).toEqual(['显示 Overlook', '-', '退出 Overlook']);
  });

  it('quits from the tray', async () => {
    const { fake } = await startShell();
    fake.trays[0]!.pick('Quit Overlook');
    await until(() => fake.exitCode !== undefined, 20_000, 'the app to quit');
    expect(fake.exitCode).toBe(0);
  });

  it('hands over to the running instance, which comes to the front', async () => {
    const second = await startShell({ lockHeldElsewhere: true });
    expect(second.state).toBe('second-instance');
    expect(second.fake.windows).toEqual([]);
    expect(second.fake.quitRequests).toBe(1);
    expect(second.shell.core()).toBeUndefined();

    const { fake } = await startShell();
    const win = fake.openWindow()!;
    win.paint();
    win.minimize();
    fake.secondInstance(['--config=x.yaml']);
    expect(win.isMinimized()).toBe(false);
    expect(win.visible && win.focused).toBe(true);
    expect(fake.windows).toHaveLength(1);
  });

  it('sets the Windows app id electron-builder.yml installs with, so notifications show there', async () => {
    const config = parse(fs.readFileSync(path.join(repoRoot, 'electron-builder.yml'), 'utf8')) as { appId: string };
    expect(APP_ID).toBe(config.appId);
    const { fake } = await startShell({ platform: 'win32' });
    expect(fake.appUserModelIds).toEqual([APP_ID]);
  });
});

describe('notifications', () => {
  /** A rule that fires on the first samples, sent to the desktop channel. */
  function firingConfig(dir: string): string {
    const file = path.join(dir, 'overlook.yaml');
    fs.writeFileSync(
      file,
      [
        'version: 1',
        'settings:',
        '  poll_interval: 1s',
        'alerts:',
        '  - name: load seen',
        '    selector: node_load1{host="local"}',
        '    aggregate: last',
        '    window: 1m',
        '    op: ">"',
        '    threshold: 0',
        '    for: 0s',
        '    severity: critical',
        '    channels: [desktop]',
        '',
      ].join('\n'),
    );
    return file;
  }

  async function fire(
    options: StartOptions = {},
    done: (started: Awaited<ReturnType<typeof startShell>>) => boolean | Promise<boolean> = ({ fake }) => fake.notifications.length > 0,
  ) {
    const dir = tempDir('ovl-shell-cfg-');
    const started = await startShell({ ...options, argv: [`--config=${firingConfig(dir)}`] });
    const { source, fake } = started;
    // Seconds since the epoch modulo a day: a load and counters that move with the clock and stay within what a host can report (parse/sanityBounds.ts).
    const feed = setInterval(() => source.events?.observation(observation(Math.floor(Date.now() / 1000) % 86_400, Date.now())), 250);
    cleanups.push(() => clearInterval(feed));
    await until(() => done(started), 30_000, 'the alert to reach the desktop channel');
    clearInterval(feed);
    return { ...started, notification: fake.notifications[0]! };
  }

  it('pops up a firing alert; a click opens the alerts screen: once a loading window has loaded, in the open window, and in a new window after it was closed to the tray', async () => {
    const { fake, notification } = await fire();
    expect(notification.shown).toBe(true);
    expect(notification.options).toMatchObject({ urgency: 'critical' });
    expect(notification.options.title).toMatch(/load seen/);

    // The window is still loading: the screen changes once the page is there, not into the page being replaced.
    const win = fake.openWindow()!;
    expect(win.webContents.isLoading()).toBe(true);
    notification.click();
    expect(win.webContents.scripts).toEqual([]);
    win.paint();
    expect(win.webContents.scripts).toEqual(['location.hash = "#/alerts"']);
    expect(win.hash).toBe(ALERTS_ROUTE);

    // The open window, minimised and elsewhere: restored, focused, on the alerts screen.
    win.webContents.executeJavaScript('location.hash = "#/topk"');
    win.minimize();
    notification.click();
    expect(win.hash).toBe(ALERTS_ROUTE);
    expect(win.visible && win.focused && !win.isMinimized()).toBe(true);

    // Closed to the tray: a new window that opens on the alerts screen.
    win.close();
    expect(fake.exitCode).toBeUndefined();
    notification.click();
    const again = fake.openWindow()!;
    expect(again).not.toBe(win);
    expect(again.hash).toBe(ALERTS_ROUTE);
    expect(again.loadedFile).toBe(path.join(repoRoot, 'dist', 'renderer', 'index.html'));
    expect(fake.ipcMain.listenerCount(FRAME_CHANNEL)).toBe(1);
  });

  it('reports a desktop without a notification service on the delivery, instead of failing silently', async () => {
    const { shell } = await fire({ notificationsSupported: false }, async ({ shell: started }) =>
      (await started.core()!.handlers['alerts/deliveries']({})).some((d) => d.channel === 'desktop'),
    );
    const deliveries = await shell.core()!.handlers['alerts/deliveries']({});
    expect(deliveries.find((d) => d.channel === 'desktop')).toMatchObject({ lastError: expect.stringMatching(/no notification service/) });
  });
});

describe('quitting', () => {
  it('drains the core first: every sample taken before the quit is on disk when the process ends', async () => {
    const { fake, source, userData } = await startShell();
    const snapshot = tempDir('ovl-shell-exit-');
    // What the OS leaves on disk at the moment the process ends.
    fake.onExit = () => fs.cpSync(userData, snapshot, { recursive: true });
    const t0 = Date.now() - 60_000;
    for (let i = 0; i < 40; i++) source.events!.observation(observation(i, t0 + i * 1000));
    fake.quit();
    await until(() => fake.exitCode !== undefined, 20_000, 'the app to quit');
    expect(fake.exitCode).toBe(0);

    const store = openMetricStore({ file: path.join(snapshot, 'history.sqlite'), retention: { rawHours: 48, minuteDays: 30, hourDays: 365 } });
    try {
      const [load] = await store.query({ selector: { name: 'node_load1', matchers: [{ label: 'host', op: '=', value: 'local' }] }, from: t0 - 1000, to: t0 + 60_000, maxPoints: 1000 });
      expect(load?.points.map(([, v]) => v)).toEqual(Array.from({ length: 40 }, (_, i) => 1 + i));
    } finally {
      await store.close();
    }
  });
});

describe('secrets', () => {
  const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as { cipher: string; secrets: Record<string, string> };
  const mode = (file: string) => fs.statSync(file).mode & 0o777;

  /** The renderer's view: app/info, and a host added with a password as the host dialog does. */
  async function asTheRenderer(fake: FakeElectron, password: string): Promise<AppInfo> {
    const client = createRpcClient(pagePort(fake.openWindow()!), { timeoutMs: 5000 });
    try {
      await client.call('hosts/add', { name: 'web-1', host: '127.0.0.1', user: 'ops', auth: { type: 'password', password }, enabled: false });
      return await client.call('app/info');
    } finally {
      client.close();
    }
  }

  it('keeps them with the OS keychain when one answers', async () => {
    const { fake, userData } = await startShell();
    expect((await asTheRenderer(fake, 'hunter2-keychain')).secretStorage).toEqual({ kind: 'keychain', backend: 'gnome_libsecret' });
    const file = path.join(userData, 'secrets-keychain.json');
    expect(readJson(file).cipher).toBe('electron-safe-storage');
    expect(Object.keys(readJson(file).secrets)).toEqual(['host:web-1:password']);
    expect(fs.readFileSync(file, 'utf8')).not.toContain('hunter2');
    expect(fs.existsSync(path.join(userData, 'secret.key'))).toBe(false);
  });

  it('on macOS, asks only whether encryption is available (the backend question is Linux-only)', async () => {
    const { fake } = await startShell({ platform: 'darwin' });
    expect((await asTheRenderer(fake, 'hunter2-mac')).secretStorage).toEqual({ kind: 'keychain' });
  });

  for (const state of ['unavailable', 'basic_text'] as const) {
    it(`falls back to the AES-GCM key file, 0600, and says why, when the keychain is ${state}`, async () => {
      const { fake, userData, log } = await startShell({ keychain: state });
      const info = await asTheRenderer(fake, 'hunter2-file');
      expect(info.secretStorage).toEqual({ kind: 'file', reason: state === 'unavailable' ? 'no_keychain' : 'basic_text', keyFile: path.join(userData, 'secret.key') });
      expect(mode(path.join(userData, 'secret.key'))).toBe(0o600);
      expect(readJson(path.join(userData, 'secrets.json')).cipher).toBe('aes-256-gcm');
      expect(Object.keys(readJson(path.join(userData, 'secrets.json')).secrets)).toEqual(['host:web-1:password']);
      expect(fs.readFileSync(path.join(userData, 'secrets.json'), 'utf8')).not.toContain('hunter2');
      expect(fs.existsSync(path.join(userData, 'secrets-keychain.json'))).toBe(false);
      expect(log.lines.join('\n')).toMatch(/secrets are kept encrypted with the key in .*secret\.key instead/);
      expect(log.lines.join('\n')).not.toContain('hunter2');
    });
  }

  it('still reads secrets saved in the key file once a keychain is there, and saves new ones with the keychain', async () => {
    const dataDir = tempDir('ovl-shell-both-');
    const log = createMemoryLogger();
    const without = new FakeElectron({ userData: dataDir, keychain: 'unavailable' });
    const before = await openDesktopSecrets(without.api.safeStorage, 'linux', dataDir, log);
    await before.secrets.set('host:web-1:password', 'from-the-file');

    const withKeychain = new FakeElectron({ userData: dataDir, keychain: 'available' });
    const after = await openDesktopSecrets(withKeychain.api.safeStorage, 'linux', dataDir, log);
    expect(after.storage.kind).toBe('keychain');
    expect(await after.secrets.get('host:web-1:password')).toBe('from-the-file');
    await after.secrets.set('host:web-2:password', 'from-the-keychain');
    expect(Object.keys(readJson(path.join(dataDir, 'secrets-keychain.json')).secrets)).toEqual(['host:web-2:password']);
    expect(await after.secrets.list()).toEqual(['host:web-1:password', 'host:web-2:password']);
    await after.secrets.delete('host:web-1:password');
    expect(await after.secrets.get('host:web-1:password')).toBeUndefined();

    // Back without a keychain: the file store, and the log says the keychain's secrets wait for it.
    const again = await openDesktopSecrets(without.api.safeStorage, 'linux', dataDir, log);
    expect(again.storage.kind).toBe('file');
    expect(log.lines.join('\n')).toMatch(/1 secret\(s\) saved while the keychain was available cannot be read until it is back/);
  });
});

describe('start-up failure', () => {
  it('shows the reason and exits instead of leaving a tray with nothing behind it', async () => {
    const userData = tempDir('ovl-shell-bad-');
    // A history database that is not a database.
    fs.writeFileSync(path.join(userData, 'history.sqlite'), 'this is not SQLite'.repeat(100));
    const { fake, state } = await startShell({ userData });
    expect(state).toBe('failed');
    expect(fake.exitCode).toBe(1);
    expect(fake.errorBoxes).toHaveLength(1);
    expect(fake.errorBoxes[0]!.title).toBe('Overlook cannot start');
    expect(fake.errorBoxes[0]!.content).toMatch(/not a database|file is not a database/i);
    expect(fake.trays).toEqual([]);
  });
});

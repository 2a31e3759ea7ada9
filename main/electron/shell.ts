// The desktop shell: window, tray, single instance, notifications and the
// secret store, wired around the same core the headless console runs. It
// takes Electron's API as a parameter (electronApi.ts) instead of importing
// it, so it runs under test against a fake typed by electron.d.ts
// (main/testing/fakeElectron.ts); main.ts hands it the real module.
//
// Window security follows Electron's checklist
// (https://www.electronjs.org/docs/latest/tutorial/security): context
// isolation, the sandbox, no Node in the page, navigation and new windows
// refused (web links open in the user's browser), every permission request
// denied. The page talks to the core only through the preload's two-function
// frame bridge, one RPC port per window, and frames are validated like a
// socket's.
import path from 'node:path';
import { parseFrame, serveRpc, type Frame, type Port } from '../common/rpc.js';
import { appFile } from '../core/appFiles.js';
import { createCore, type Core, type CoreOptions } from '../core/createCore.js';
import { defaultFeatures } from '../core/features.js';
import type { Logger } from '../core/log.js';
import { consoleVersion } from '../core/version.js';
import { openDesktopSecrets } from './desktopSecrets.js';
import type { ElectronApi, ShellNotification, ShellTray, ShellWindow } from './electronApi.js';
import { shellText } from './shellText.js';
import type { IpcMainEvent } from 'electron';

/** The IPC channel the preload bridge moves frames on (preload/preload.cts names it too). */
export const FRAME_CHANNEL = 'overlook:frame';
/** electron-builder.yml's appId: Windows shows notifications only for an app with this id. */
export const APP_ID = 'dev.overlook.console';
/** Where a notification click takes the user (renderer/src/router.ts). */
export const ALERTS_ROUTE = '/alerts';
const DEFAULT_QUIT_TIMEOUT_MS = 20_000;
// Notifications kept referenced until clicked or closed: one the garbage collector took no longer reports its click.
const MAX_LIVE_NOTIFICATIONS = 100;

export interface DesktopShellOptions {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  readonly log: Logger;
  /** Tests: the local host's source (by default the composition root picks one per OS). */
  readonly createLocalSource?: CoreOptions['createLocalSource'];
  /** Longest wait on quit for the core to drain (samples written, store closed) before quitting anyway. */
  readonly quitTimeoutMs?: number;
}

export interface DesktopShell {
  /** `running` once the core has started and the window is open; `second-instance` when another instance had the lock; `failed` when the core could not start (shown to the user, then the app exits). */
  readonly ready: Promise<'running' | 'second-instance' | 'failed'>;
  core(): Core | undefined;
  window(): ShellWindow | undefined;
}

/** `--name=value` from the command line. */
function flag(argv: readonly string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

export function startDesktopShell(electron: ElectronApi, options: DesktopShellOptions): DesktopShell {
  const { app, BrowserWindow, ipcMain, Menu, Tray, nativeImage, Notification, safeStorage, shell, dialog } = electron;
  const { log, platform } = options;

  let core: Core | undefined;
  let started: Promise<void> | undefined;
  let mainWindow: ShellWindow | undefined;
  let tray: ShellTray | undefined;
  const liveNotifications = new Set<ShellNotification>();

  if (!app.requestSingleInstanceLock()) {
    // The running instance gets 'second-instance' and comes to the front.
    app.quit();
    return { ready: Promise.resolve('second-instance'), core: () => undefined, window: () => undefined };
  }

  const openInBrowser = (url: string) => {
    // Only web links leave the app; file:, javascript:, custom schemes do not.
    if (!/^https?:\/\//i.test(url)) return;
    shell.openExternal(url).catch((err: unknown) => log.warn('could not open a link in the browser', { error: (err as Error).message }));
  };

  function createWindow(route: string | undefined): ShellWindow {
    const win = new BrowserWindow({
      width: 1280,
      height: 820,
      minWidth: 720,
      minHeight: 480,
      title: 'Overlook',
      show: false,
      webPreferences: {
        preload: appFile(path.join('dist', 'preload', 'preload.cjs'), 'read'),
        contextIsolation: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        sandbox: true,
        webSecurity: true,
        webviewTag: false,
        spellcheck: false,
      },
    });
    win.once('ready-to-show', () => {
      win.show();
      win.focus();
    });
    const contents = win.webContents;
    contents.setWindowOpenHandler(({ url }) => {
      openInBrowser(url);
      return { action: 'deny' };
    });
    // The window never leaves the UI; in-page (hash) navigation does not raise this event.
    contents.on('will-navigate', (event, url) => {
      event.preventDefault();
      openInBrowser(url);
    });
    contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    win.loadFile(appFile(path.join('dist', 'renderer', 'index.html'), 'read'), route ? { hash: route } : {}).catch((err: unknown) => {
      log.error('the window could not load the UI', { error: (err as Error).message });
    });
    return win;
  }

  /** One RPC port per window over IPC; frames from any other sender are ignored. */
  function attachWindow(win: ShellWindow, c: Core) {
    const listeners = new Set<(f: Frame) => void>();
    const contents = win.webContents;
    const port: Port = {
      send: (frame) => {
        if (!contents.isDestroyed()) contents.send(FRAME_CHANNEL, frame);
      },
      onFrame: (l) => (listeners.add(l), () => listeners.delete(l)),
    };
    const onIpc = (event: IpcMainEvent, data: unknown) => {
      if (event.sender !== contents) return;
      const frame = parseFrame(data);
      if (frame) for (const l of listeners) l(frame);
    };
    ipcMain.on(FRAME_CHANNEL, onIpc);
    const stopServing = serveRpc(c.handlers, port, {
      onInternalError: (method, err) => log.error(`request ${method} failed`, { error: (err as Error).message }),
    });
    const unsubscribe = c.subscribe((event, payload) => port.send({ kind: 'evt', event, payload }));
    win.on('closed', () => {
      ipcMain.off(FRAME_CHANNEL, onIpc);
      stopServing();
      unsubscribe();
    });
  }

  /** Shows `route` in a window that may still be loading (a hash change once the page is there). */
  function navigate(win: ShellWindow, route: string) {
    const go = () => {
      win.webContents.executeJavaScript(`location.hash = ${JSON.stringify(`#${route}`)}`).catch((err: unknown) => {
        log.warn('could not open a screen in the window', { route, error: (err as Error).message });
      });
    };
    if (win.webContents.isLoading()) win.webContents.once('did-finish-load', go);
    else go();
  }

  /** Brings the window up (a new one when it was closed to the tray), on `route` when given. */
  function showWindow(route?: string) {
    if (!core) return;
    if (!mainWindow || mainWindow.isDestroyed()) {
      // A new window opens on the route itself and shows when it has painted.
      mainWindow = createWindow(route);
      attachWindow(mainWindow, core);
      return;
    }
    if (route) navigate(mainWindow, route);
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  }

  /** The alerts' desktop channel: an OS notification; a click opens the alerts screen. */
  function notifyDesktop(notice: { title: string; body: string; severity: string }) {
    if (!Notification.isSupported()) throw new Error('this desktop has no notification service');
    const n = new Notification({ title: notice.title, body: notice.body, urgency: notice.severity === 'critical' ? 'critical' : 'normal' });
    liveNotifications.add(n);
    if (liveNotifications.size > MAX_LIVE_NOTIFICATIONS) liveNotifications.delete(liveNotifications.values().next().value!);
    n.on('click', () => {
      liveNotifications.delete(n);
      showWindow(ALERTS_ROUTE);
    });
    n.on('close', () => liveNotifications.delete(n));
    n.show();
  }

  app.on('second-instance', () => showWindow());
  // The console keeps watching from the tray when its window is closed.
  app.on('window-all-closed', () => {
    /* stay in the tray */
  });
  app.on('activate', () => showWindow());

  // Quitting waits for the core to drain: the batcher's last second of samples
  // written and the store closed. Electron does not wait for a promise in
  // 'before-quit', so the first quit is held back and repeated once the core is done.
  let drained = false;
  let draining: Promise<void> | undefined;
  app.on('before-quit', (event) => {
    if (drained || !core) return;
    event.preventDefault();
    draining ??= drain().finally(() => {
      drained = true;
      app.quit();
    });
  });

  async function drain() {
    const c = core!;
    const timeoutMs = options.quitTimeoutMs ?? DEFAULT_QUIT_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const stop = (async () => {
      await started?.catch(() => undefined);
      await c.stop();
    })().then(
      () => 'stopped' as const,
      (err: unknown) => {
        log.error('the core did not stop cleanly', { error: (err as Error).message });
        return 'stopped' as const;
      },
    );
    if ((await Promise.race([stop, timedOut])) === 'timeout') log.error(`the core had not stopped after ${timeoutMs} ms; quitting anyway`);
    clearTimeout(timer);
  }

  const ready = app.whenReady().then(async () => {
    if (platform === 'win32') app.setAppUserModelId(APP_ID);
    const text = shellText(app.getLocale());
    try {
      const dataDir = options.env.OVERLOOK_DATA_DIR ? path.resolve(options.env.OVERLOOK_DATA_DIR) : app.getPath('userData');
      const { secrets, storage } = await openDesktopSecrets(safeStorage, platform, dataDir, log);
      const configFile = flag(options.argv, 'config');
      const metricsListen = flag(options.argv, 'metrics-listen');
      core = createCore({
        dataDir,
        shell: 'desktop',
        configFile: configFile ? path.resolve(configFile) : undefined,
        secrets,
        secretStorage: storage,
        log,
        version: consoleVersion(),
        ...(options.createLocalSource ? { createLocalSource: options.createLocalSource } : {}),
        features: defaultFeatures({ ...(metricsListen ? { metricsListen } : {}), notify: notifyDesktop }),
      });
      started = core.start();
      await started;
    } catch (err) {
      const message = (err as Error).message;
      log.error('the console could not start', { error: message });
      await core?.stop().catch(() => undefined);
      core = undefined;
      dialog.showErrorBox(text.cannotStart, message);
      app.exit(1);
      return 'failed' as const;
    }
    showWindow();
    tray = new Tray(nativeImage.createFromPath(appFile(path.join('resources', 'icon.png'), 'read')));
    tray.setToolTip(text.tooltip);
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: text.show, click: () => showWindow() },
        { type: 'separator' },
        { label: text.quit, click: () => app.quit() },
      ]),
    );
    tray.on('click', () => showWindow());
    return 'running' as const;
  });

  return { ready, core: () => core, window: () => mainWindow };
}

// The desktop shell: window, tray, single instance, notifications, and the
// OS keychain through safeStorage. The only folder that imports `electron`.
// Everything else is the core, shared with the headless console; keep this
// file thin, because our build machines cannot download Electron to test it.
import { app, BrowserWindow, ipcMain, Menu, nativeImage, Notification, safeStorage, shell, Tray } from 'electron';
import path from 'node:path';
import { createCore, type Core } from '../core/createCore.js';
import { defaultFeatures } from '../core/features.js';
import { createStderrLogger } from '../core/log.js';
import { createCipherSecretStore } from '../core/secrets/encryptedFileSecretStore.js';
import { appRoot } from '../core/appFiles.js';
import { consoleVersion } from '../core/version.js';
import { parseFrame, serveRpc, type Frame, type Port } from '../common/rpc.js';

const FRAME_CHANNEL = 'overlook:frame';
const root = appRoot();
const log = createStderrLogger();

let core: Core | undefined;
let mainWindow: BrowserWindow | undefined;
let tray: Tray | undefined;

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    title: 'Overlook',
    show: false,
    webPreferences: {
      preload: path.join(root, 'dist', 'preload', 'preload.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  // Links open in the user's browser; the window never navigates away from the UI.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:/.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  void win.loadFile(path.join(root, 'dist', 'renderer', 'index.html'));
  return win;
}

/** One RPC port per window, over IPC; frames are validated like any socket's. */
function attachWindow(win: BrowserWindow, c: Core) {
  const listeners = new Set<(f: Frame) => void>();
  const contents = win.webContents;
  const port: Port = {
    send: (frame) => {
      if (!contents.isDestroyed()) contents.send(FRAME_CHANNEL, frame);
    },
    onFrame: (l) => (listeners.add(l), () => listeners.delete(l)),
  };
  const onIpc = (event: Electron.IpcMainEvent, data: unknown) => {
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

/** The alerts' desktop channel: the OS notification; a click brings the window up on the alerts screen. */
function notifyDesktop(notice: { title: string; body: string; severity: string }) {
  if (!Notification.isSupported()) throw new Error('this desktop has no notification service');
  const n = new Notification({ title: notice.title, body: notice.body, urgency: notice.severity === 'critical' ? 'critical' : 'normal' });
  n.on('click', () => {
    showWindow();
    void mainWindow?.webContents.executeJavaScript("location.hash = '#/alerts'");
  });
  n.show();
}

function showWindow() {
  if (!core) return;
  if (!mainWindow || mainWindow.isDestroyed()) {
    mainWindow = createWindow();
    attachWindow(mainWindow, core);
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  app.whenReady().then(async () => {
    const dataDir = process.env.OVERLOOK_DATA_DIR ?? app.getPath('userData');
    // Secrets are encrypted with the OS keychain (Keychain, DPAPI, libsecret/kwallet), in a file of
    // their own: the headless console's key-file store in the same data dir cannot read them.
    const secrets = createCipherSecretStore(path.join(dataDir, 'secrets-keychain.json'), {
      id: 'electron-safe-storage',
      encrypt: (plain) => safeStorage.encryptString(plain.toString('utf8')),
      decrypt: (blob) => Buffer.from(safeStorage.decryptString(blob), 'utf8'),
    });
    const configArg = process.argv.find((a) => a.startsWith('--config='));
    const metricsListenArg = process.argv.find((a) => a.startsWith('--metrics-listen='));
    core = createCore({
      dataDir,
      shell: 'desktop',
      configFile: configArg ? path.resolve(configArg.slice('--config='.length)) : undefined,
      secrets,
      log,
      version: consoleVersion(),
      features: defaultFeatures({ metricsListen: metricsListenArg?.slice('--metrics-listen='.length), notify: notifyDesktop }),
    });
    await core.start();
    showWindow();
    tray = new Tray(nativeImage.createFromPath(path.join(root, 'resources', 'icon.png')));
    tray.setToolTip('Overlook');
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Show Overlook', click: () => showWindow() },
        { type: 'separator' },
        { label: 'Quit', click: () => app.quit() },
      ]),
    );
    tray.on('click', () => showWindow());
  });
  // The console keeps watching from the tray when its window is closed.
  app.on('window-all-closed', () => {
    /* stay in the tray */
  });
  app.on('activate', () => showWindow());
  app.on('before-quit', () => {
    void core?.stop();
  });
}

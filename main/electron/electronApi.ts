// The part of Electron's API the desktop shell uses, picked by name from
// Electron's own type declarations (electron.d.ts): a method the shell calls
// that Electron does not have fails to compile here, and the fake the shell's
// tests run against (main/testing/fakeElectron.ts) must match these
// signatures. main.ts hands the real module in; nothing else imports it.
import type {
  App,
  BrowserWindow,
  BrowserWindowConstructorOptions,
  Dialog,
  IpcMain,
  Menu,
  NativeImage,
  nativeImage,
  Notification,
  NotificationConstructorOptions,
  SafeStorage,
  Session,
  Shell,
  Tray,
  WebContents,
} from 'electron';

export type ShellSession = Pick<Session, 'setPermissionRequestHandler'>;

export type ShellWebContents = Pick<WebContents, 'send' | 'isDestroyed' | 'isLoading' | 'setWindowOpenHandler' | 'on' | 'once' | 'executeJavaScript'> & {
  readonly session: ShellSession;
};

export type ShellWindow = Pick<BrowserWindow, 'on' | 'once' | 'show' | 'focus' | 'isMinimized' | 'restore' | 'isDestroyed' | 'loadFile'> & {
  readonly webContents: ShellWebContents;
};

export type ShellNotification = Pick<Notification, 'on' | 'show'>;

export type ShellTray = Pick<Tray, 'setToolTip' | 'setContextMenu' | 'on'>;

export interface ElectronApi {
  readonly app: Pick<App, 'requestSingleInstanceLock' | 'quit' | 'exit' | 'on' | 'whenReady' | 'getPath' | 'getLocale' | 'setAppUserModelId'>;
  readonly BrowserWindow: new (options: BrowserWindowConstructorOptions) => ShellWindow;
  readonly ipcMain: Pick<IpcMain, 'on' | 'off'>;
  readonly Menu: Pick<typeof Menu, 'buildFromTemplate'>;
  readonly Tray: new (image: NativeImage) => ShellTray;
  readonly nativeImage: Pick<typeof nativeImage, 'createFromPath'>;
  readonly Notification: Pick<typeof Notification, 'isSupported'> & (new (options: NotificationConstructorOptions) => ShellNotification);
  readonly safeStorage: Pick<SafeStorage, 'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'>;
  readonly shell: Pick<Shell, 'openExternal'>;
  readonly dialog: Pick<Dialog, 'showErrorBox'>;
}

// A stand-in for Electron's main-process API, for the desktop shell's tests
// (our machines cannot download the Electron binary). It is typed against
// the shell's ElectronApi, which is picked by name from electron.d.ts, so a
// method the shell calls that Electron lacks fails to compile, and a fake
// whose signatures drift from Electron's fails to compile too. It records
// what the shell did and lets a test act as the user and the OS: click the
// tray, a notification or a link, close the window, start a second instance,
// quit, and pick what the keychain can do.
//
// IPC frames cross as Electron moves them: structured-cloned each way
// (https://www.electronjs.org/docs/latest/tutorial/ipc, "Object serialization").
// Windows are in memory unless a test gives a backend (the Chromium bridge
// test shows each window as a real page).
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ElectronApi, ShellNotification, ShellTray, ShellWebContents, ShellWindow } from '../electron/electronApi.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- Electron's event methods return `this` typed as the real class; the fake returns itself. */

type WindowOptions = ConstructorParameters<ElectronApi['BrowserWindow']>[0];
type MenuTemplate = Parameters<ElectronApi['Menu']['buildFromTemplate']>[0];
type NotificationOptions = ConstructorParameters<ElectronApi['Notification']>[0];
type OpenHandler = Parameters<ShellWebContents['setWindowOpenHandler']>[0];
type PermissionHandler = Parameters<ShellWebContents['session']['setPermissionRequestHandler']>[0];
type Backend = ReturnType<ElectronApi['safeStorage']['getSelectedStorageBackend']>;

/** What the keychain behind safeStorage can do. */
export type KeychainState =
  /** A keyring answers (Keychain, DPAPI, gnome-libsecret, KWallet). */
  | 'available'
  /** None answers: isAsyncEncryptionAvailable() resolves false and encrypting rejects. */
  | 'unavailable'
  /** Linux without a keyring service: Chromium's basic_text backend, a hard-coded key. */
  | 'basic_text';

/** Where a window's page lives; the default keeps it in memory. */
export interface FakeWindowBackend {
  loadFile(win: FakeBrowserWindow, file: string, hash: string | undefined): Promise<void>;
  /** A frame from the main process reaching the page's ipcRenderer listeners. */
  deliver(win: FakeBrowserWindow, channel: string, payload: unknown): void;
  executeJavaScript(win: FakeBrowserWindow, code: string): Promise<unknown>;
}

/** An Electron event handlers can cancel (`event.preventDefault()`). */
export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
  sender?: unknown;
}

function fakeEvent(extra: Record<string, unknown> = {}): FakeEvent {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
    ...extra,
  };
  return event;
}

export class FakeWebContents extends EventEmitter implements ShellWebContents {
  destroyed = false;
  loading = false;
  openHandler?: OpenHandler;
  permissionHandler?: PermissionHandler;
  readonly sent: { channel: string; payload: unknown }[] = [];
  readonly scripts: string[] = [];
  /** Page-side listeners of the in-memory page (what the preload's ipcRenderer.on would reach). */
  readonly pageListeners = new Set<(channel: string, payload: unknown) => void>();
  readonly session = {
    setPermissionRequestHandler: (handler: PermissionHandler) => {
      this.permissionHandler = handler;
    },
  };

  constructor(
    private readonly fake: FakeElectron,
    readonly window: FakeBrowserWindow,
  ) {
    super();
  }

  send(channel: string, ...args: any[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    const payload = structuredClone(args[0]);
    this.sent.push({ channel, payload });
    if (this.fake.windowBackend) this.fake.windowBackend.deliver(this.window, channel, payload);
    else for (const l of this.pageListeners) l(channel, payload);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isLoading(): boolean {
    return this.loading;
  }
  setWindowOpenHandler(handler: OpenHandler): void {
    this.openHandler = handler;
  }
  executeJavaScript(code: string): Promise<any> {
    this.scripts.push(code);
    if (this.fake.windowBackend) return this.fake.windowBackend.executeJavaScript(this.window, code);
    // A script run while the page is still loading runs in the document being replaced: its effect is lost.
    const hash = /^location\.hash = "(.*)"$/.exec(code)?.[1];
    if (hash !== undefined && !this.loading) this.window.hash = hash.replace(/^#/, '');
    return Promise.resolve(undefined);
  }
  override on(event: string | symbol, listener: (...args: any[]) => void): any {
    return super.on(event, listener);
  }
  override once(event: string | symbol, listener: (...args: any[]) => void): any {
    return super.once(event, listener);
  }

  // ---------------------------------------------------------------- the page's side
  /** The page sends a frame through the preload (ipcRenderer.send), as this window. */
  sendFromPage(channel: string, payload: unknown, sender: unknown = this): void {
    this.fake.ipcMain.emit(channel, fakeEvent({ sender }), structuredClone(payload));
  }
  /** The page asks to navigate (a link or location.href): whether the shell let it. */
  navigate(url: string): boolean {
    const event = fakeEvent();
    this.emit('will-navigate', event, url, false, true, 1, 1);
    return !event.defaultPrevented;
  }
  /** The page calls window.open: the shell's answer. */
  open(url: string): ReturnType<OpenHandler> | undefined {
    return this.openHandler?.({ url, frameName: '', features: '', disposition: 'new-window', referrer: { url: '', policy: 'default' }, postBody: undefined } as any);
  }
  /** The page asks for a permission (notifications, camera…): whether the shell granted it. */
  requestPermission(permission: string): boolean {
    // Without a handler Electron grants every permission request.
    if (!this.permissionHandler) return true;
    let granted: boolean | undefined;
    this.permissionHandler(this as any, permission as any, (ok: boolean) => (granted = ok), {} as any);
    return granted === true;
  }
  finishLoad(): void {
    this.loading = false;
    this.emit('did-finish-load');
  }
}

export class FakeBrowserWindow extends EventEmitter implements ShellWindow {
  readonly webContents: FakeWebContents;
  visible = false;
  focused = false;
  minimized = false;
  destroyed = false;
  loadedFile?: string;
  /** The route the page shows: the hash it was loaded with or set to. */
  hash?: string;

  constructor(
    private readonly fake: FakeElectron,
    readonly options: WindowOptions,
  ) {
    super();
    this.webContents = new FakeWebContents(fake, this);
    fake.windows.push(this);
  }

  show(): void {
    this.visible = true;
    this.minimized = false;
  }
  focus(): void {
    this.focused = true;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  loadFile(file: string, options?: { hash?: string }): Promise<void> {
    this.loadedFile = file;
    this.hash = options?.hash;
    this.webContents.loading = true;
    if (this.fake.windowBackend) {
      return this.fake.windowBackend.loadFile(this, file, options?.hash).then(() => {
        this.webContents.finishLoad();
        this.emit('ready-to-show');
      });
    }
    return Promise.resolve();
  }
  override on(event: string | symbol, listener: (...args: any[]) => void): any {
    return super.on(event, listener);
  }
  override once(event: string | symbol, listener: (...args: any[]) => void): any {
    return super.once(event, listener);
  }

  // ---------------------------------------------------------------- the user and the OS
  /** The in-memory page finished loading and painted. */
  paint(): void {
    this.webContents.finishLoad();
    this.emit('ready-to-show');
  }
  minimize(): void {
    this.minimized = true;
    this.focused = false;
  }
  /** The user closes the window (the app stays in the tray). */
  close(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.webContents.destroyed = true;
    this.emit('closed');
    this.fake.windowsClosed();
  }
}

export interface FakeMenu {
  readonly template: MenuTemplate;
}

export class FakeTray extends EventEmitter implements ShellTray {
  tooltip?: string;
  menu?: FakeMenu;
  constructor(readonly image: unknown) {
    super();
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
  }
  setContextMenu(menu: unknown): void {
    this.menu = menu as FakeMenu | undefined;
  }
  override on(event: string | symbol, listener: (...args: any[]) => void): any {
    return super.on(event, listener);
  }
  /** The labels of the context menu, separators as '-'. */
  labels(): string[] {
    return (this.menu?.template ?? []).map((item) => ('type' in item && item.type === 'separator' ? '-' : String(item.label)));
  }
  /** The user picks a context-menu item by its label. */
  pick(label: string): void {
    const item = (this.menu?.template ?? []).find((i) => i.label === label);
    if (!item) throw new Error(`the tray menu has no item "${label}" (it has ${this.labels().join(', ')})`);
    (item as { click?: () => void }).click?.();
  }
}

export class FakeNotification extends EventEmitter implements ShellNotification {
  shown = false;
  constructor(
    fake: FakeElectron,
    readonly options: NotificationOptions,
  ) {
    super();
    fake.notifications.push(this);
  }
  show(): void {
    this.shown = true;
  }
  override on(event: string | symbol, listener: (...args: any[]) => void): any {
    return super.on(event, listener);
  }
  /** The user clicks the notification. */
  click(): void {
    this.emit('click', fakeEvent());
  }
}

/** A keyring's cipher: AES-256-GCM under a key only "the keychain" holds, or the hard-coded one of basic_text. */
function keyringCipher(key: Buffer) {
  return {
    encrypt(plain: string): Buffer {
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([Buffer.from('v11'), iv, body, c.getAuthTag()]);
    },
    decrypt(blob: Buffer): string {
      if (blob.subarray(0, 3).toString() !== 'v11') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      const d = crypto.createDecipheriv('aes-256-gcm', key, blob.subarray(3, 15));
      d.setAuthTag(blob.subarray(blob.length - 16));
      return Buffer.concat([d.update(blob.subarray(15, blob.length - 16)), d.final()]).toString('utf8');
    },
  };
}

export interface FakeElectronOptions {
  readonly userData: string;
  /** The OS the fake stands for (default linux): getSelectedStorageBackend exists on Linux only. */
  readonly platform?: NodeJS.Platform;
  readonly keychain?: KeychainState;
  /** The Linux backend reported when a keyring answers (default gnome_libsecret). */
  readonly backend?: Backend;
  readonly locale?: string;
  /** Another instance already holds the single-instance lock. */
  readonly lockHeldElsewhere?: boolean;
  readonly notificationsSupported?: boolean;
  readonly windowBackend?: FakeWindowBackend;
}

export class FakeElectron {
  readonly windows: FakeBrowserWindow[] = [];
  readonly trays: FakeTray[] = [];
  readonly notifications: FakeNotification[] = [];
  readonly opened: string[] = [];
  readonly errorBoxes: { title: string; content: string }[] = [];
  readonly appUserModelIds: string[] = [];
  readonly windowBackend?: FakeWindowBackend;
  keychain: KeychainState;
  /** Set when the process would end: the exit code, after 'quit' or app.exit(). */
  exitCode?: number;
  /** Called at the moment the process would end (a test can look at the disk as the OS would leave it). */
  onExit?: (code: number) => void;
  quitRequests = 0;
  private readonly appEvents = new EventEmitter();
  private resolveReady!: () => void;
  private readonly readyPromise = new Promise<void>((resolve) => (this.resolveReady = resolve));
  private readonly keyringKey = crypto.randomBytes(32);
  private readonly basicTextKey = crypto.createHash('sha256').update('peanuts').digest();

  readonly ipcMain = new EventEmitter();
  readonly api: ElectronApi;

  constructor(readonly options: FakeElectronOptions) {
    this.keychain = options.keychain ?? 'available';
    this.windowBackend = options.windowBackend;
    const fake = this;
    const events = this.appEvents;
    const cipher = () => {
      if (fake.keychain === 'unavailable') throw new Error('Error while encrypting the text provided to safeStorage.encryptString. Encryption is not available.');
      return keyringCipher(fake.keychain === 'basic_text' ? fake.basicTextKey : fake.keyringKey);
    };

    const app: ElectronApi['app'] = {
      requestSingleInstanceLock: () => !options.lockHeldElsewhere,
      quit: () => fake.quit(),
      exit: (code?: number) => fake.end(code ?? 0),
      on: ((event: string, listener: (...args: any[]) => void) => {
        events.on(event, listener);
        return app;
      }) as any,
      whenReady: () => fake.readyPromise,
      getPath: ((name: string) => {
        if (name !== 'userData') throw new Error(`the fake knows only userData, not ${name}`);
        return options.userData;
      }) as any,
      getLocale: () => options.locale ?? 'en-US',
      setAppUserModelId: (id: string) => void fake.appUserModelIds.push(id),
    };

    const Notification = class extends FakeNotification {
      static isSupported(): boolean {
        return options.notificationsSupported ?? true;
      }
      constructor(notificationOptions: NotificationOptions) {
        super(fake, notificationOptions);
      }
    };

    this.api = {
      app,
      BrowserWindow: class extends FakeBrowserWindow {
        constructor(windowOptions: WindowOptions) {
          super(fake, windowOptions);
        }
      },
      ipcMain: this.ipcMain as unknown as ElectronApi['ipcMain'],
      Menu: { buildFromTemplate: (template: MenuTemplate) => ({ template }) as FakeMenu as any },
      Tray: class extends FakeTray {
        constructor(image: unknown) {
          super(image);
          fake.trays.push(this);
        }
      },
      nativeImage: { createFromPath: (path: string) => ({ path }) as any },
      Notification,
      safeStorage: {
        isAsyncEncryptionAvailable: async () => fake.keychain !== 'unavailable',
        encryptStringAsync: async (plain: string) => cipher().encrypt(plain),
        decryptStringAsync: async (blob: Buffer) => ({ result: cipher().decrypt(blob), shouldReEncrypt: false }),
        getSelectedStorageBackend: () => {
          if ((options.platform ?? 'linux') !== 'linux') throw new TypeError('safeStorage.getSelectedStorageBackend is not a function');
          return fake.keychain === 'basic_text' ? 'basic_text' : fake.keychain === 'unavailable' ? 'unknown' : (options.backend ?? 'gnome_libsecret');
        },
      },
      shell: {
        openExternal: async (url: string) => void fake.opened.push(url),
      },
      dialog: {
        showErrorBox: (title: string, content: string) => void fake.errorBoxes.push({ title, content }),
      },
    };
  }

  // ---------------------------------------------------------------- the OS and the user
  /** The app becomes ready (Electron's 'ready'). */
  ready(): void {
    this.resolveReady();
  }
  /** Another copy of the app is started: Electron tells this one. */
  secondInstance(argv: string[] = []): void {
    this.appEvents.emit('second-instance', fakeEvent(), argv, process.cwd(), {});
  }
  /** The dock icon is clicked (macOS). */
  activate(): void {
    this.appEvents.emit('activate', fakeEvent(), true);
  }
  /** app.quit(): 'before-quit' (cancellable), then 'will-quit' and 'quit', then the process ends. */
  quit(): void {
    this.quitRequests++;
    if (this.exitCode !== undefined) return;
    const before = fakeEvent();
    this.appEvents.emit('before-quit', before);
    if (before.defaultPrevented) return;
    for (const w of this.windows) w.close();
    const willQuit = fakeEvent();
    this.appEvents.emit('will-quit', willQuit);
    if (willQuit.defaultPrevented) return;
    this.appEvents.emit('quit', fakeEvent(), 0);
    this.end(0);
  }
  /** Electron quits when the last window closes unless someone listens for 'window-all-closed'. */
  windowsClosed(): void {
    if (this.windows.some((w) => !w.destroyed)) return;
    if (this.appEvents.listenerCount('window-all-closed') === 0) this.quit();
    else this.appEvents.emit('window-all-closed');
  }
  /** The window the shell shows, if any is open. */
  openWindow(): FakeBrowserWindow | undefined {
    return this.windows.filter((w) => !w.destroyed).at(-1);
  }

  private end(code: number): void {
    if (this.exitCode !== undefined) return;
    this.exitCode = code;
    this.onExit?.(code);
  }
}

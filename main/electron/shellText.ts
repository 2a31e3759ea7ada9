// The few words the shell itself shows (the tray menu, the start-up failure
// box), outside the renderer and its catalogues, in the same two languages.
// The OS's language picks them: the tray exists before any window.
export interface ShellText {
  readonly tooltip: string;
  readonly show: string;
  readonly quit: string;
  readonly cannotStart: string;
}

const EN: ShellText = {
  tooltip: 'Overlook',
  show: 'Show Overlook',
  quit: 'Quit Overlook',
  cannotStart: 'Overlook cannot start',
};

const ZH_CN: ShellText = {
  tooltip: 'Overlook',
  show: '显示 Overlook',
  quit: '退出 Overlook',
  cannotStart: 'Overlook 无法启动',
};

/** `locale` as app.getLocale() gives it (`zh-CN`, `en-US`…). */
export function shellText(locale: string): ShellText {
  return /^zh\b/i.test(locale) ? ZH_CN : EN;
}

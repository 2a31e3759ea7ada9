// English: the command palette (Ctrl+K).
export const paletteEn = {
  'palette.open': 'Jump to a host or screen (Ctrl+K)',
  'palette.shortcut': 'Ctrl K',
  'palette.label': 'Jump to',
  'palette.placeholder': 'Type a host or screen name…',
  'palette.screen': 'Screen',
  'palette.host': 'Host',
  'palette.noResults': 'Nothing matches.',
  'palette.help': '↑ ↓ to move · Enter to open · Esc to close',
} as const satisfies Record<string, string>;

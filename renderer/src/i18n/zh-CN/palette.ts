// 简体中文：命令面板（Ctrl+K）。
import type { paletteEn } from '../en/palette';

export const paletteZhCN: Record<keyof typeof paletteEn, string> = {
  'palette.open': '跳转到主机或页面（Ctrl+K）',
  'palette.shortcut': 'Ctrl K',
  'palette.label': '跳转到',
  'palette.placeholder': '输入主机或页面名称…',
  'palette.screen': '页面',
  'palette.host': '主机',
  'palette.noResults': '没有匹配项。',
  'palette.help': '↑ ↓ 移动 · 回车打开 · Esc 关闭',
};

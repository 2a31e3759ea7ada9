// 简体中文：命令面板（Ctrl+K）。
import type { paletteEn } from '../en/palette';

export const paletteZhCN: Record<keyof typeof paletteEn, string> = {
  'palette.open': '跳转到页面、主机、容器、云实例或告警规则，或执行操作（Ctrl+K）',
  'palette.shortcut': 'Ctrl K',
  'palette.label': '跳转或执行',
  'palette.placeholder': '输入页面、主机、容器、实例、规则或操作…',
  'palette.screen': '页面',
  'palette.host': '主机',
  'palette.container': '{host} 上的容器',
  'palette.cloudAccount': '云账号',
  'palette.cloudInstance': '{account} 中的云实例',
  'palette.rule': '告警规则',
  'palette.action': '操作',
  'palette.action.addHost': '添加 SSH 主机…',
  'palette.action.importHosts': '从 ~/.ssh/config 导入主机…',
  'palette.action.addCloud': '添加云账号…',
  'palette.action.addCheck': '添加服务检查…',
  'palette.action.range': '时间范围：{range}',
  'palette.action.theme': '主题：{theme}',
  'palette.action.lang': '语言：{language}',
  'palette.action.silence': '将 {where} 上的“{rule}”静默 1 小时',
  'palette.noResults': '没有匹配项。',
  'palette.help': '↑ ↓ 移动 · 回车打开或执行 · Esc 关闭',
};

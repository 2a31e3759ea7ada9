// 简体中文：单台主机界面：基本信息、进程排行、某一时刻的进程。
import type { hostDetailEn } from '../en/hostDetail';

export const hostDetailZhCN: Record<keyof typeof hostDetailEn, string> = {
  'host.back': '总览',
  'host.facts': '主机信息',
  'host.hostname': '主机名',
  'host.os': '操作系统',
  'host.kernel': '内核',
  'host.arch': '架构',
  'host.cpus': 'CPU 数',
  'host.kind': '来源',
  'host.kind.local': '本机',
  'host.kind.ssh': 'SSH',
  'host.notFound.title': '找不到该主机',
  'host.notFound.body': '没有正在监控的主机 ID 为“{id}”。它可能已从配置中移除。',
  'host.notFound.back': '返回总览',
  'host.summary': '最新数值',

  'processes.title': '进程排行',
  'processes.caption': '{time} 的进程排行',
  'processes.pid': 'PID',
  'processes.command': '命令',
  'processes.user': '用户',
  'processes.cpu': 'CPU',
  'processes.rss': '常驻内存',
  'processes.memory': '内存占比',
  'processes.sortBy': '按{column}排序',
  'processes.empty': '尚无进程列表：将随下一个采样到达。',
  'processes.error': '无法加载进程列表：{message}',

  'processesAt.title': '某一时刻的主要进程',
  'processesAt.time': '时刻',
  'processesAt.show': '查看',
  'processesAt.close': '关闭',
  'processesAt.hint': '点击 CPU 图表上的一点或输入时间，查看当时最繁忙的进程（保留 7 天，每分钟一个快照）。',
  'processesAt.none': '{time} 附近没有进程快照：当时未监控此主机，或已超过 7 天。',
};

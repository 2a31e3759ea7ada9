// 简体中文：核心写入告警与通知的文字（内置规则名称与摘要、状态与级别用词、通知标题）。
// 与核心共用一份词表，位于 main/common/alertTexts.ts。
import { alertTextsZhCN } from '../../../../main/common/alertTexts';
import type { notifyEn } from '../en/notify';

export const notifyZhCN: Record<keyof typeof notifyEn, string> = alertTextsZhCN;

// Silences: mute alerts by rule, by host or by label matchers for a while.
// A silenced alert keeps its state and shows in the list, marked muted; only
// its notifications are held back. Silences end by themselves at `endsAt`.
// Pure: no Node.
import { escapeLabelValue, matchesLabels, type Labels, type LabelMatcher } from '../../common/series.js';
import type { Silence, SilenceDraft } from './model.js';

export interface SilenceTarget {
  readonly ruleId: string;
  readonly labels: Labels;
}

export function isSilenceActive(s: Pick<Silence, 'startsAt' | 'endsAt'>, now: number): boolean {
  return s.startsAt <= now && now < s.endsAt;
}

/** Every given field must match: rule id, the `host` label, and each label matcher. */
export function silenceMatches(s: Silence, target: SilenceTarget): boolean {
  if (s.ruleId !== undefined && s.ruleId !== target.ruleId) return false;
  if (s.host !== undefined && target.labels.host !== s.host) return false;
  return matchesLabels(target.labels, s.matchers as readonly LabelMatcher[] | undefined);
}

/** Ids of the active silences muting `target` at `now` (empty: not muted). */
export function mutingSilences(silences: readonly Silence[], target: SilenceTarget, now: number): string[] {
  const ids: string[] = [];
  for (const s of silences) if (isSilenceActive(s, now) && silenceMatches(s, target)) ids.push(s.id);
  return ids;
}

/**
 * What a one-click "silence" on an alert creates:
 * - `rule`: every alert of the rule;
 * - `host`: every alert on the alert's host, whatever the rule;
 * - `instance`: every alert on the alert's cloud instance, whatever the rule
 *   (a cloud instance has no `host` label: it is named by cloud, account and
 *   instance id, so the silence is those three label matchers);
 * - `alert`: this alert only (its rule and its exact labels).
 * Throws when `host` or `instance` is asked of an alert without those labels.
 */
export type SilenceScope = 'rule' | 'host' | 'instance' | 'alert';

const CLOUD_INSTANCE_LABELS = ['account', 'cloud', 'instance'] as const;

export function silenceFromAlert(alert: SilenceTarget, scope: SilenceScope, durationMs: number, now: number, comment?: string): SilenceDraft {
  if (!(durationMs > 0)) throw new Error('a silence needs a positive duration');
  const base = { startsAt: now, endsAt: now + durationMs, ...(comment ? { comment } : {}) };
  switch (scope) {
    case 'rule':
      return { ...base, ruleId: alert.ruleId };
    case 'host': {
      const host = alert.labels.host;
      if (!host) throw new Error('this alert has no host label; silence the rule or the alert instead');
      return { ...base, host };
    }
    case 'instance': {
      if (CLOUD_INSTANCE_LABELS.some((label) => !alert.labels[label])) throw new Error('this alert is not on a cloud instance; silence the rule or the alert instead');
      return { ...base, matchers: CLOUD_INSTANCE_LABELS.map((label) => ({ label, op: '=' as const, value: alert.labels[label]! })) };
    }
    case 'alert':
      return {
        ...base,
        ruleId: alert.ruleId,
        matchers: Object.keys(alert.labels)
          .sort()
          .map((label) => ({ label, op: '=' as const, value: alert.labels[label] ?? '' })),
      };
  }
}

/** `rule=…, host=…, {a="1"}` for the UI and logs. */
export function describeSilence(s: Pick<Silence, 'ruleId' | 'host' | 'matchers'>): string {
  const parts: string[] = [];
  if (s.ruleId) parts.push(`rule=${s.ruleId}`);
  if (s.host) parts.push(`host=${s.host}`);
  if (s.matchers?.length) parts.push(`{${s.matchers.map((m) => `${m.label}${m.op}"${escapeLabelValue(m.value)}"`).join(',')}}`);
  return parts.join(', ');
}

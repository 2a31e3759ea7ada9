import { UsageBar } from './UsageBar';

/** One figure of a detail screen's summary strip: a label, the value, a line under it and an optional share bar. */
export function Stat({ label, value, sub, ratio, title, tone, testId }: { label: string; value: string; sub?: string; ratio?: number | null; title?: string; tone?: 'bad'; testId?: string }) {
  return (
    <div className={tone ? `stat stat--${tone}` : 'stat'} title={title} data-testid={testId}>
      <div className="stat-label">{label}</div>
      <div className="stat-value num">{value}</div>
      {sub && <div className="stat-sub num muted">{sub}</div>}
      {ratio !== undefined && <UsageBar ratio={ratio} />}
    </div>
  );
}

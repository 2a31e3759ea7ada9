import { UsageBar } from './UsageBar';

/** One figure of a detail screen's summary strip: a label, a value, an optional second line and usage bar. */
export function Stat({ label, value, sub, ratio, title, testId }: { label: string; value: string; sub?: string; ratio?: number | null; title?: string; testId?: string }) {
  return (
    <div className="stat" title={title} data-testid={testId}>
      <div className="stat-label">{label}</div>
      <div className="stat-value num">{value}</div>
      {sub && <div className="stat-sub num muted">{sub}</div>}
      {ratio !== undefined && <UsageBar ratio={ratio} />}
    </div>
  );
}

/** A small horizontal bar for a 0..1 share; turns amber at 80 % and red at 90 %. */
export function UsageBar({ ratio }: { ratio: number | null | undefined }) {
  const valid = typeof ratio === 'number' && Number.isFinite(ratio);
  const clamped = valid ? Math.min(1, Math.max(0, ratio)) : 0;
  const tone = !valid ? 'none' : clamped >= 0.9 ? 'bad' : clamped >= 0.8 ? 'warn' : 'ok';
  return (
    <span className={`usage-bar usage-bar--${tone}`} aria-hidden="true">
      <span className="usage-bar-fill" style={{ width: `${clamped * 100}%` }} />
    </span>
  );
}

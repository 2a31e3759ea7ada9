import { formatPercent } from '../../../main/common/format';
import { UsageBar } from './UsageBar';

/** A table cell with a usage bar and its percentage (the fleet table's CPU, memory and disk columns). */
export function UsageCell({ ratio, locale, className, title }: { ratio: number | null; locale: string; className: string; title?: string }) {
  return (
    <span role="cell" className={className} title={title}>
      <UsageBar ratio={ratio} />
      {formatPercent(ratio, locale)}
    </span>
  );
}

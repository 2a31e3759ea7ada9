import type { ProcessRow } from '../../../../main/common/contract';
import { formatBytes, formatCores, formatPercent } from '../../../../main/common/format';

/** CPU, RSS and memory share of one process: the same three cells in every process table. */
export function ProcessUsageCells({ process, locale }: { process: Pick<ProcessRow, 'cpu' | 'rssBytes' | 'memoryRatio'>; locale: string }) {
  return (
    <>
      <td className="num">{formatCores(process.cpu, locale)}</td>
      <td className="num">{formatBytes(process.rssBytes, locale)}</td>
      <td className="num">{formatPercent(process.memoryRatio, locale)}</td>
    </>
  );
}

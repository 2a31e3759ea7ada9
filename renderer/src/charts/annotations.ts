// Status and alert marks on a chart. Marks closer than a label's width would
// print their labels over each other (a host connecting, asking for its key
// and going online within seconds); every mark keeps its line, but only the
// newest of such a cluster is labelled, with how many it stands for.
import type { ChartAnnotation } from './chartTypes';

export interface PlacedAnnotation extends ChartAnnotation {
  /** Undefined when a newer mark nearby carries the label. */
  readonly shownLabel?: string;
}

export function placeAnnotations(annotations: readonly ChartAnnotation[], from: number, to: number, plotWidthPx: number, minGapPx = 90): PlacedAnnotation[] {
  const visible = annotations.filter((a) => a.t >= from && a.t <= to).sort((a, b) => a.t - b.t);
  if (visible.length === 0 || !(plotWidthPx > 0) || !(to > from)) return visible.map((a) => ({ ...a, shownLabel: a.label }));
  const minGapMs = (minGapPx / plotWidthPx) * (to - from);
  const out: PlacedAnnotation[] = [];
  let clusterStart = 0;
  for (let i = 0; i < visible.length; i++) {
    const next = visible[i + 1];
    const endsCluster = next === undefined || next.t - visible[i]!.t >= minGapMs;
    if (!endsCluster) {
      out.push({ ...visible[i]! });
      continue;
    }
    const hidden = i - clusterStart;
    out.push({ ...visible[i]!, shownLabel: hidden > 0 ? `${visible[i]!.label} (+${hidden})` : visible[i]!.label });
    clusterStart = i + 1;
  }
  return out;
}

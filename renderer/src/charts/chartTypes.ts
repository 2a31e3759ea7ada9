// What the chart card hands its tooltip and its annotation layout, apart
// from the card so that they need not import the component that uses them.
import type { SeriesData } from '../../../main/common/contract';
import type { DescribedSeries } from './chartSpecs';

/** A horizontal line with its label: a series' total (memory), or what the screen knows (the CPU count on the load chart). */
export interface ChartReference {
  label: string;
  value: number;
}

/** A series as drawn: its data, its colour, and its newest value for the legend. */
export interface DrawnSeries extends DescribedSeries {
  data: SeriesData;
  color: string;
  last: number | null;
}

/** A vertical mark at a moment: a host status change, an alert transition. */
export interface ChartAnnotation {
  t: number;
  label: string;
  tone: 'ok' | 'warn' | 'bad' | 'neutral';
}

/** A shaded stretch of time with one label: a host outage (from leaving "online" to coming back). */
export interface ChartSpan {
  from: number;
  to: number;
  label: string;
  tone: 'warn' | 'bad';
  /** Still going at the end of the window. */
  ongoing: boolean;
}

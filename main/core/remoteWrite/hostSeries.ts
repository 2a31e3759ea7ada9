// What one host observation adds to the remote-write outbox besides the
// samples the history keeps, and the staleness markers when a host or a
// container goes away. Pure.
//
// Raw series: everything /metrics shows for the host that the history does
// not keep as it is — node_exporter's counters and the gauges outside the
// catalogue, cAdvisor's counters and the gauges the history does not keep —
// with the host label, and containers under the labels their kept series
// carry (container, image, namespace, pod), not cAdvisor's id and name, so a
// container is one label set on the engine whatever the metric.
//
// Staleness (Prometheus's staleness marker, the NaN with bits
// 0x7ff0000000000002, prometheus/model/value/value.go StaleNaN): a series
// that ends gets one, so PromQL stops returning it at once instead of for
// the 5-minute lookback. A host that goes away (offline, removed, paused)
// ends all of the series of its last observation; a container that is no
// longer in a host's observation ends its series. A series merely absent
// from one observation is not ended: the agent reads some values only every
// 3rd or 12th sample.
import { rawMetrics } from '../../common/metrics.js';
import type { Labels, RawSeries, Sample } from '../../common/series.js';
import { containerEntity } from '../containers/topKEntity.js';
import { containerExportSeries } from '../containers/exportContainers.js';
import { STORED_CONTAINER_GAUGES } from '../derive/containers.js';
import type { ContainerObservation } from '../model/containers.js';

/** The series /metrics has for a host and the history does not keep as they are, at the observation's time. */
export function rawSamplesToSend(host: string, t: number, series: readonly RawSeries[], containers: ContainerObservation | undefined): Sample[] {
  const out: Sample[] = [];
  const hostLabels = new Map<Labels, Labels>();
  for (const s of series) {
    if (s.kind === 'gauge' && s.name in rawMetrics) continue;
    if (!Number.isFinite(s.value)) continue;
    out.push({ name: s.name, labels: { ...s.labels, host }, t, v: s.value });
  }
  for (const s of containerExportSeries(containers)) {
    if (STORED_CONTAINER_GAUGES.has(s.name) || !Number.isFinite(s.value)) continue;
    let labels = hostLabels.get(s.labels);
    if (!labels) {
      const { name: _name, id: _id, ...rest } = s.labels;
      labels = { ...rest, host };
      hostLabels.set(s.labels, labels);
    }
    out.push({ name: s.name, labels, t, v: s.value });
  }
  return out;
}

/** A host's series as of its last observation, to end them when it or one of its containers goes away. */
export interface HostSeriesMemory {
  readonly samples: readonly Sample[];
  /** The containers in that observation (containerEntity), or undefined when it carried no container data. */
  readonly containers: ReadonlySet<string> | undefined;
}

function containersOf(samples: readonly Sample[]): Set<string> {
  const out = new Set<string>();
  let lastLabels: Labels | undefined;
  for (const s of samples) {
    if (s.labels === lastLabels || !(s.name.startsWith('container_') || s.name.startsWith('container:'))) continue;
    lastLabels = s.labels;
    const entity = containerEntity(s.labels);
    if (entity !== undefined) out.add(entity);
  }
  return out;
}

const marker = (s: Sample, t: number): Sample => ({ name: s.name, labels: s.labels, t, v: Number.NaN });

/**
 * The memory after an observation whose samples (kept and raw) are `samples`,
 * and the markers for the containers of the previous one that are gone.
 * `withContainers`: the observation carried container data at all (without
 * it, nothing is concluded about containers).
 */
export function observeHostSeries(previous: HostSeriesMemory | undefined, samples: readonly Sample[], withContainers: boolean, t: number): { memory: HostSeriesMemory; markers: Sample[] } {
  const containers = withContainers ? containersOf(samples) : undefined;
  const markers: Sample[] = [];
  if (previous?.containers && containers) {
    const gone = [...previous.containers].filter((c) => !containers.has(c));
    if (gone.length > 0) {
      const goneSet = new Set(gone);
      for (const s of previous.samples) {
        const entity = s.name.startsWith('container') ? containerEntity(s.labels) : undefined;
        if (entity !== undefined && goneSet.has(entity)) markers.push(marker(s, t));
      }
    }
  }
  // Series of containers that were not in this observation's data are carried over, so a later host end still ends them.
  const carried = !withContainers && previous ? previous.samples.filter((s) => s.name.startsWith('container')) : [];
  return { memory: { samples: carried.length ? [...samples, ...carried] : samples, containers: containers ?? previous?.containers }, markers };
}

/** Markers for every series of a host that went away, at `t`. */
export function endHostSeries(memory: HostSeriesMemory | undefined, t: number): Sample[] {
  if (!memory) return [];
  return memory.samples.filter((s) => s.t < t).map((s) => marker(s, t));
}

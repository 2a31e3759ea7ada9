// How Top-K names a container: one container is one `container` label on one
// host, inside one pod and namespace in Kubernetes (two pods may each run a
// container called "app"). The image is left out: an upgrade keeps ranking
// the same container, by its worst series in the window.
import type { Labels } from '../../common/series.js';

/** `host/container`, or `host/namespace/pod/container` for a pod's container; undefined for series of no container. */
export function containerEntity(labels: Labels): string | undefined {
  if (labels.host === undefined || labels.container === undefined) return undefined;
  return [labels.host, labels.namespace, labels.pod, labels.container].filter((p) => p !== undefined && p !== '').join('/');
}

// Each watched host as its own Prometheus target: the HTTP service discovery
// answer (`/sd/hosts`) and the paths of the per-host expositions
// (`/metrics/host/<id>`). Pure.
//
// Format: Prometheus's http_sd (https://prometheus.io/docs/prometheus/latest/http_sd/):
// a JSON list of target groups `{ "targets": ["host:port"], "labels": {…} }`,
// answered with 200 and `Content-Type: application/json` (Prometheus refuses
// any other status or type and keeps the targets it had). Labels starting
// with `__meta_` are dropped after relabelling, `__metrics_path__` sets the
// path scraped, and a label named `instance` set here is kept as the target's
// `instance` (Prometheus only fills it from `__address__` when it is unset).
//
// Each host is a group of its own, because each has its own `__metrics_path__`.
// The target address is the console's own, as the client reached it.

export interface ExportTarget {
  /** The host's id: stable across renames, used in the path. */
  readonly id: string;
  /** The host's display name: the `instance` label. */
  readonly name: string;
  /** Where its data comes from: local, ssh, node_exporter, pushed. */
  readonly source: string;
  /** The OS the host reported (e.g. "Debian GNU/Linux 12 (bookworm)"), when it did. */
  readonly os?: string;
  readonly tags: readonly string[];
}

export interface TargetGroup {
  readonly targets: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

export const HOST_METRICS_PREFIX = '/metrics/host/';
export const SD_PATH = '/sd/hosts';

/**
 * The path Prometheus scrapes for a host, as `__metrics_path__` wants it:
 * unescaped. Prometheus puts it in a Go url.URL's Path and escapes it itself
 * when it builds the request (scrape/target.go, Target.URL), so an id with a
 * space or "中文" arrives percent-encoded and the server decodes it.
 */
export function hostMetricsPath(id: string): string {
  return `${HOST_METRICS_PREFIX}${id}`;
}

/** The same path, escaped, for a link a person clicks or pastes into curl. */
export function hostMetricsHref(id: string): string {
  return `${HOST_METRICS_PREFIX}${encodeURIComponent(id)}`;
}

/**
 * The host id in a request path, or undefined when the path is not a host's
 * (or its escaping is broken). Everything after the prefix is the id, so an
 * id holding "/" (left unescaped by Prometheus) still resolves.
 */
export function hostIdOfPath(path: string): string | undefined {
  if (!path.startsWith(HOST_METRICS_PREFIX)) return undefined;
  const rest = path.slice(HOST_METRICS_PREFIX.length);
  if (!rest) return undefined;
  try {
    return decodeURIComponent(rest);
  } catch {
    return undefined;
  }
}

/** Prometheus's strutil.SanitizeLabelName: every character outside [a-zA-Z0-9_] becomes "_". */
function sanitizeLabelName(text: string): string {
  return text.replace(/[^a-zA-Z0-9_]/g, '_');
}

/**
 * The discovery answer: one group per host, in the order given, all with the
 * same target address. Labels: `instance` (the host's name), the path, and
 * `__meta_overlook_*` for relabelling — host_id, host_name, source, os, tags
 * (",a,b," joined, as Consul SD's `__meta_consul_tags`) and
 * `tagpresent_<tag>` = "true" per tag (tag names sanitised as Prometheus
 * sanitises label names; the joined list keeps them exact). A host whose
 * name an earlier one has is left out.
 */
export function targetGroups(targets: Iterable<ExportTarget>, address: string): TargetGroup[] {
  const groups: TargetGroup[] = [];
  const names = new Set<string>();
  for (const t of targets) {
    // Two targets with one instance would write the same series, which Prometheus drops sample by
    // sample; as on /metrics (one host label value, one host), the first host with a name is the one.
    if (names.has(t.name)) continue;
    names.add(t.name);
    const labels: Record<string, string> = {
      instance: t.name,
      __metrics_path__: hostMetricsPath(t.id),
      __meta_overlook_host_id: t.id,
      __meta_overlook_host_name: t.name,
      __meta_overlook_source: t.source,
      __meta_overlook_os: t.os ?? '',
      __meta_overlook_tags: t.tags.length ? `,${t.tags.join(',')},` : '',
    };
    for (const tag of t.tags) labels[`__meta_overlook_tagpresent_${sanitizeLabelName(tag)}`] = 'true';
    groups.push({ targets: [address], labels });
  }
  return groups;
}

// RFC 9110 §7.2 Host = uri-host [ ":" port ]: a name, an IPv4 address or a bracketed IPv6 one.
const HOST_HEADER = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::\d{1,5})?$/;

/**
 * The address to give as every target: the Host header the discovery request
 * came with (the name and port Prometheus reached the console by, which
 * matters when the listener is bound to every interface), or the listener's
 * own when the header is absent or not a plain host[:port].
 */
export function targetAddress(hostHeader: string | undefined, listenHost: string, listenPort: number): string {
  if (hostHeader && HOST_HEADER.test(hostHeader)) return hostHeader;
  const host = listenHost.includes(':') && !listenHost.startsWith('[') ? `[${listenHost}]` : listenHost;
  return `${host}:${listenPort}`;
}

// The network stack's counters as node_exporter's default sockstat, netstat
// and arp collectors export them: /proc/net/sockstat and sockstat6,
// /proc/net/netstat, snmp and snmp6, and /proc/net/arp. Pure.
import type { RawSeries } from '../../common/series.js';
import type { Parsed } from './procfs.js';

/**
 * node_exporter's default --collector.netstat.fields (collector/netstat_linux.go):
 * which "Protocol_Field" names are exported.
 */
export const NETSTAT_FIELDS =
  /^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$/;

const NAME = /^[A-Za-z0-9_]+$/;

/**
 * /proc/net/sockstat (and sockstat6, lines "TCP6: inuse N"): net/ipv4/proc.c
 * sockstat_seq_show. "sockets: used N" becomes node_sockstat_sockets_used;
 * every "PROTO: key value …" pair node_sockstat_PROTO_key, and a `mem` in
 * pages also PROTO_mem_bytes. All gauges, as node_exporter's.
 */
export function parseSockstat(file: string, lines: readonly string[], pageSize: number): Parsed {
  const series: RawSeries[] = [];
  const problems: string[] = [];
  for (const raw of lines) {
    if (raw.trim() === '') continue;
    const colon = raw.indexOf(':');
    const proto = raw.slice(0, colon);
    const f = raw.slice(colon + 1).trim().split(/\s+/);
    if (colon <= 0 || !NAME.test(proto) || f.length % 2 !== 0) {
      problems.push(`${file}: cannot read "${raw.slice(0, 80)}"`);
      continue;
    }
    for (let i = 0; i < f.length; i += 2) {
      const key = f[i]!;
      const v = Number(f[i + 1]);
      if (!NAME.test(key) || !Number.isFinite(v)) {
        problems.push(`${file}: cannot read "${raw.slice(0, 80)}"`);
        break;
      }
      if (proto === 'sockets') {
        if (key === 'used') series.push({ name: 'node_sockstat_sockets_used', labels: {}, value: v, kind: 'gauge' });
        continue;
      }
      series.push({ name: `node_sockstat_${proto}_${key}`, labels: {}, value: v, kind: 'gauge' });
      if (key === 'mem') series.push({ name: `node_sockstat_${proto}_mem_bytes`, labels: {}, value: v * pageSize, kind: 'gauge' });
    }
  }
  return { value: series, problems };
}

/**
 * /proc/net/netstat and /proc/net/snmp: pairs of lines, "Proto: Name Name …"
 * then "Proto: value value …" (net/ipv4/proc.c). Exported as
 * node_netstat_Proto_Name for the names NETSTAT_FIELDS keeps; gauges here,
 * untyped in node_exporter (some, like Tcp_CurrEstab, are not counters).
 */
export function parseNetstat(file: string, lines: readonly string[]): Parsed {
  const series: RawSeries[] = [];
  const problems: string[] = [];
  const rows = lines.filter((l) => l.trim() !== '');
  for (let i = 0; i + 1 < rows.length; i += 2) {
    const names = rows[i]!.split(' ');
    const values = rows[i + 1]!.split(' ');
    const proto = names[0]!.endsWith(':') ? names[0]!.slice(0, -1) : '';
    if (!proto || values[0] !== names[0] || names.length !== values.length || !NAME.test(proto)) {
      problems.push(`${file}: lines ${i + 1}-${i + 2} are not a name line and its value line`);
      continue;
    }
    for (let k = 1; k < names.length; k++) {
      const key = `${proto}_${names[k]}`;
      if (!NETSTAT_FIELDS.test(key)) continue;
      const v = Number(values[k]);
      if (!NAME.test(names[k]!) || values[k] === '' || !Number.isFinite(v)) problems.push(`${file}: ${key} has no numeric value`);
      else series.push({ name: `node_netstat_${key}`, labels: {}, value: v, kind: 'gauge' });
    }
  }
  if (rows.length % 2 !== 0) problems.push(`${file}: a name line without its value line`);
  return { value: series, problems };
}

/**
 * /proc/net/snmp6: "Ip6InReceives  425" per line (net/ipv6/proc.c); the
 * protocol is the name up to its first "6" (Ip6, Icmp6, Udp6, UdpLite6),
 * so the series is node_netstat_Ip6_InReceives, as node_exporter names it.
 */
export function parseSnmp6(lines: readonly string[]): Parsed {
  const series: RawSeries[] = [];
  const problems: string[] = [];
  for (const raw of lines) {
    const f = raw.trim().split(/\s+/);
    if (f.length === 1 && f[0] === '') continue;
    const six = f[0]!.indexOf('6');
    if (f.length !== 2 || six <= 0 || !NAME.test(f[0]!)) {
      problems.push(`snmp6: cannot read "${raw.slice(0, 80)}"`);
      continue;
    }
    const key = `${f[0]!.slice(0, six + 1)}_${f[0]!.slice(six + 1)}`;
    if (!NETSTAT_FIELDS.test(key)) continue;
    const v = Number(f[1]);
    if (!Number.isFinite(v)) problems.push(`snmp6: ${key} has no numeric value`);
    else series.push({ name: `node_netstat_${key}`, labels: {}, value: v, kind: 'gauge' });
  }
  return { value: series, problems };
}

/**
 * /proc/net/arp: a header line, then one neighbour per line whose last
 * column is the device (net/ipv4/arp.c arp_seq_show). node_arp_entries
 * counts them per device, as node_exporter's arp collector does.
 */
export function parseArp(lines: readonly string[]): Parsed {
  const counts = new Map<string, number>();
  const problems: string[] = [];
  for (const raw of lines) {
    const f = raw.trim().split(/\s+/);
    if (f.length === 1 && f[0] === '') continue;
    if (f[0] === 'IP') continue;
    if (f.length < 6) {
      problems.push(`arp: cannot read "${raw.slice(0, 80)}"`);
      continue;
    }
    const device = f[f.length - 1]!;
    counts.set(device, (counts.get(device) ?? 0) + 1);
  }
  return {
    value: [...counts].map(([device, n]) => ({ name: 'node_arp_entries', labels: { device }, value: n, kind: 'gauge' as const })),
    problems,
  };
}

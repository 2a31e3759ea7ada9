// /sys/class/net/<iface>/* → node_exporter's netclass series
// (collector/netclass_linux.go): node_network_info with the interface's
// strings, node_network_up from its operstate, and one gauge per numeric
// attribute. Attribute files are in Documentation/ABI/testing/sysfs-class-net.
// Pure.
import type { RawSeries } from '../../common/series.js';
import type { Parsed } from './procfs.js';

/** sysfs attribute → node_exporter's name (without node_network_) and kind. */
const NUMERIC: ReadonlyArray<readonly [file: string, name: string, kind: RawSeries['kind']]> = [
  ['addr_assign_type', 'address_assign_type', 'gauge'],
  ['carrier', 'carrier', 'gauge'],
  ['carrier_changes', 'carrier_changes_total', 'counter'],
  ['carrier_up_count', 'carrier_up_changes_total', 'counter'],
  ['carrier_down_count', 'carrier_down_changes_total', 'counter'],
  ['dev_id', 'device_id', 'gauge'],
  ['dormant', 'dormant', 'gauge'],
  ['flags', 'flags', 'gauge'],
  ['ifindex', 'iface_id', 'gauge'],
  ['iflink', 'iface_link', 'gauge'],
  ['link_mode', 'iface_link_mode', 'gauge'],
  ['mtu', 'mtu_bytes', 'gauge'],
  ['name_assign_type', 'name_assign_type', 'gauge'],
  ['netdev_group', 'net_dev_group', 'gauge'],
  ['tx_queue_len', 'transmit_queue_length', 'gauge'],
  ['type', 'protocol_type', 'gauge'],
];

/**
 * `files` maps "IFACE/ATTRIBUTE" to the attribute's content. An attribute
 * the kernel refuses to read (speed and duplex of a link that is down give
 * EINVAL, carrier of an interface that is down too) never reaches the frame
 * and is left out, as node_exporter leaves it out; the info series then has
 * an empty label, as node_exporter's does. Speed -1 (unknown) is exported as
 * node_exporter 1.x does by default: -125000.
 */
export function parseNetClass(files: ReadonlyMap<string, string>): Parsed {
  const byIface = new Map<string, Map<string, string>>();
  for (const [path, content] of files) {
    const slash = path.indexOf('/');
    if (slash <= 0) continue;
    const iface = path.slice(0, slash);
    let attrs = byIface.get(iface);
    if (!attrs) byIface.set(iface, (attrs = new Map()));
    attrs.set(path.slice(slash + 1), content.trim());
  }
  const series: RawSeries[] = [];
  const problems: string[] = [];
  for (const [device, attrs] of byIface) {
    const labels = { device };
    const operstate = attrs.get('operstate');
    if (operstate !== undefined) series.push({ name: 'node_network_up', labels, value: operstate === 'up' ? 1 : 0, kind: 'gauge' });
    series.push({
      name: 'node_network_info',
      labels: {
        address: attrs.get('address') ?? '',
        broadcast: attrs.get('broadcast') ?? '',
        device,
        duplex: attrs.get('duplex') ?? '',
        ifalias: attrs.get('ifalias') ?? '',
        operstate: operstate ?? '',
      },
      value: 1,
      kind: 'gauge',
    });
    for (const [file, name, kind] of NUMERIC) {
      const text = attrs.get(file);
      if (text === undefined || text === '') continue;
      // flags is printed in hex ("0x1003"), the others in decimal.
      const v = text.startsWith('0x') ? parseInt(text.slice(2), 16) : Number(text);
      if (!Number.isFinite(v)) problems.push(`class/net/${device}/${file}: cannot read "${text.slice(0, 40)}"`);
      else series.push({ name: `node_network_${name}`, labels, value: v, kind });
    }
    const speed = attrs.get('speed');
    if (speed !== undefined && speed !== '') {
      const mbps = Number(speed);
      if (!Number.isFinite(mbps)) problems.push(`class/net/${device}/speed: cannot read "${speed.slice(0, 40)}"`);
      // Mbit/s → bytes/s, truncated as node_exporter's int64 arithmetic does.
      else series.push({ name: 'node_network_speed_bytes', labels, value: Math.trunc((mbps * 1000 * 1000) / 8), kind: 'gauge' });
    }
  }
  return { value: series, problems };
}

// The per-host inventory the detail screen lists: mounts, devices,
// temperatures and top processes, taken from the latest observation.
import type { HostInventory, ProcessRow } from '../common/contract.js';
import type { HostObservation } from './model/observation.js';

export function buildInventory(hostId: string, obs: HostObservation, processes: readonly ProcessRow[]): HostInventory {
  const filesystems = new Map<string, { mountpoint: string; device: string; fstype: string }>();
  const disks = new Set<string>();
  const interfaces = new Set<string>();
  const temperatures: HostInventory['temperatures'] = [];
  for (const s of obs.series) {
    switch (s.name) {
      case 'node_filesystem_size_bytes': {
        const mountpoint = s.labels.mountpoint ?? '';
        filesystems.set(mountpoint, { mountpoint, device: s.labels.device ?? '', fstype: s.labels.fstype ?? '' });
        break;
      }
      case 'node_disk_read_bytes_total':
        if (s.labels.device) disks.add(s.labels.device);
        break;
      case 'node_network_receive_bytes_total':
        if (s.labels.device) interfaces.add(s.labels.device);
        break;
      case 'node_hwmon_temp_celsius':
      case 'node_thermal_zone_temp':
        temperatures.push({ name: s.name, labels: { ...s.labels }, celsius: s.value });
        break;
    }
  }
  return {
    hostId,
    t: obs.t,
    filesystems: [...filesystems.values()].sort((a, b) => a.mountpoint.localeCompare(b.mountpoint)),
    disks: [...disks].sort(),
    interfaces: [...interfaces].sort(),
    temperatures,
    processes: [...processes],
  };
}

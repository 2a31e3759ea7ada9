import { describe, expect, it } from 'vitest';
import { createAgentDecoder } from './agentDecoder.js';
import { parseFileNr, parsePressure, parseSingleValue, parseSoftnet, parseVmstat, unameInfo } from './kernelStats.js';
import { parseArp, parseNetstat, parseSnmp6, parseSockstat } from './netStats.js';
import { parseNetClass } from './netClass.js';

const pairs = (r: { value: { name: string; labels: Record<string, string>; value: number }[] }) =>
  r.value.map((s) => [s.name, s.labels, s.value]);

describe('vmstat', () => {
  it("keeps node_exporter's default fields only, and says which line it could not read", () => {
    const r = parseVmstat(['nr_free_pages 1', 'pgpgin 10', 'pgfault 20', 'pgmajfault 3', 'pswpout 4', 'oom_kill 1', 'pgsteal_kswapd 9', 'pgfault x', 'garbage']);
    expect(pairs(r)).toEqual([
      ['node_vmstat_pgpgin', {}, 10],
      ['node_vmstat_pgfault', {}, 20],
      ['node_vmstat_pgmajfault', {}, 3],
      ['node_vmstat_pswpout', {}, 4],
      ['node_vmstat_oom_kill', {}, 1],
    ]);
    expect(r.problems).toEqual(['vmstat: cannot read "pgfault x"', 'vmstat: cannot read "garbage"']);
  });
});

describe('file-nr, single values, pressure', () => {
  it('reads allocated and maximum file handles', () => {
    expect(pairs(parseFileNr(['1344\t0\t9223372036854775807']))).toEqual([
      ['node_filefd_allocated', {}, 1344],
      ['node_filefd_maximum', {}, 9223372036854775807],
    ]);
    expect(parseFileNr(['x']).problems).toEqual(['file-nr: cannot read "x"']);
  });
  it('reads a one-number file or says it could not', () => {
    expect(pairs(parseSingleValue('nf_conntrack_count', 'node_nf_conntrack_entries', ['17']))).toEqual([['node_nf_conntrack_entries', {}, 17]]);
    expect(parseSingleValue('poolsize', 'node_entropy_pool_size_bits', ['']).problems).toEqual(['poolsize: cannot read ""']);
  });
  it('turns PSI totals (µs) into seconds; cpu has no stalled series even when the kernel prints a full line', () => {
    expect(pairs(parsePressure('cpu', ['some avg10=0.00 avg60=0.00 avg300=0.00 total=2500000', 'full avg10=0.00 avg60=0.00 avg300=0.00 total=7']))).toEqual([
      ['node_pressure_cpu_waiting_seconds_total', {}, 2.5],
    ]);
    expect(pairs(parsePressure('io', ['some avg10=1 avg60=1 avg300=1 total=1000000', 'full avg10=1 avg60=1 avg300=1 total=500000']))).toEqual([
      ['node_pressure_io_waiting_seconds_total', {}, 1],
      ['node_pressure_io_stalled_seconds_total', {}, 0.5],
    ]);
    expect(parsePressure('memory', ['some total=']).problems).toEqual(['pressure/memory: cannot read "some total="']);
  });
});

describe('softnet', () => {
  it('labels each line by its CPU id column where the kernel prints one, else by its line', () => {
    const withId = parseSoftnet([
      '0000000a 00000001 00000002 00000000 00000000 00000000 00000000 00000000 00000003 00000004 00000005 00000000 00000002',
    ]);
    expect(pairs(withId).slice(0, 3)).toEqual([
      ['node_softnet_processed_total', { cpu: '2' }, 10],
      ['node_softnet_dropped_total', { cpu: '2' }, 1],
      ['node_softnet_times_squeezed_total', { cpu: '2' }, 2],
    ]);
    expect(pairs(withId).slice(3)).toEqual([
      ['node_softnet_cpu_collision_total', { cpu: '2' }, 3],
      ['node_softnet_received_rps_total', { cpu: '2' }, 4],
      ['node_softnet_flow_limit_count_total', { cpu: '2' }, 5],
    ]);
    const old = parseSoftnet(['1 0 0 0 0 0 0 0 0 0 0', 'ff 0 0 0 0 0 0 0 0 0 0']);
    expect(old.value.filter((s) => s.name === 'node_softnet_processed_total').map((s) => [s.labels.cpu, s.value])).toEqual([['0', 1], ['1', 255]]);
    expect(parseSoftnet(['zz 1']).problems).toHaveLength(1);
  });
});

describe('uname', () => {
  it('is one info series with all six fields, or none', () => {
    const files = { sysname: 'Linux', release: '6.1.0', version: '#1 SMP', machine: 'x86_64', nodename: 'web-1', domainname: '(none)' };
    expect(unameInfo(files)).toEqual([
      { name: 'node_uname_info', labels: { domainname: '(none)', machine: 'x86_64', nodename: 'web-1', release: '6.1.0', sysname: 'Linux', version: '#1 SMP' }, value: 1, kind: 'gauge' },
    ]);
    expect(unameInfo({ ...files, version: undefined })).toEqual([]);
  });
});

describe('sockstat, netstat, snmp6, arp', () => {
  it('names sockstat pairs as node_exporter does, with mem in bytes too', () => {
    const r = parseSockstat('sockstat', ['sockets: used 20', 'TCP: inuse 1 orphan 0 tw 48 alloc 1 mem 340', 'FRAG: inuse 0 memory 0', 'bad line'], 4096);
    expect(pairs(r)).toEqual([
      ['node_sockstat_sockets_used', {}, 20],
      ['node_sockstat_TCP_inuse', {}, 1],
      ['node_sockstat_TCP_orphan', {}, 0],
      ['node_sockstat_TCP_tw', {}, 48],
      ['node_sockstat_TCP_alloc', {}, 1],
      ['node_sockstat_TCP_mem', {}, 340],
      ['node_sockstat_TCP_mem_bytes', {}, 340 * 4096],
      ['node_sockstat_FRAG_inuse', {}, 0],
      ['node_sockstat_FRAG_memory', {}, 0],
    ]);
    expect(r.problems).toEqual(['sockstat: cannot read "bad line"']);
  });
  it("keeps netstat's default fields and refuses a value line that does not match its names", () => {
    const r = parseNetstat('snmp', ['Tcp: ActiveOpens CurrEstab MaxConn', 'Tcp: 5 3 -1', 'Udp: InDatagrams NoPorts', 'Udp: 1']);
    expect(pairs(r)).toEqual([
      ['node_netstat_Tcp_ActiveOpens', {}, 5],
      ['node_netstat_Tcp_CurrEstab', {}, 3],
    ]);
    expect(r.problems).toEqual(['snmp: lines 3-4 are not a name line and its value line']);
  });
  it('splits snmp6 names at their first 6', () => {
    expect(pairs(parseSnmp6(['Ip6InOctets \t8', 'Icmp6InMsgs 2', 'Udp6InDatagrams 3', 'UdpLite6InErrors 0', 'Ip6InReceives 9']))).toEqual([
      ['node_netstat_Ip6_InOctets', {}, 8],
      ['node_netstat_Icmp6_InMsgs', {}, 2],
      ['node_netstat_Udp6_InDatagrams', {}, 3],
      ['node_netstat_UdpLite6_InErrors', {}, 0],
    ]);
  });
  it('counts ARP entries per device', () => {
    expect(pairs(parseArp([
      'IP address       HW type     Flags       HW address            Mask     Device',
      '10.0.0.1 0x1 0x2 52:54:00:12:34:56 * eth0',
      '10.0.0.2 0x1 0x2 52:54:00:12:34:57 * eth0',
      '10.1.0.1 0x1 0x2 52:54:00:12:34:58 * br-lan',
    ]))).toEqual([
      ['node_arp_entries', { device: 'eth0' }, 2],
      ['node_arp_entries', { device: 'br-lan' }, 1],
    ]);
  });
});

describe('netclass', () => {
  it('makes the info series, up from operstate, hex flags, speed in bytes, and leaves out what could not be read', () => {
    const r = parseNetClass(new Map([
      ['eth0/operstate', 'up\n'], ['eth0/address', '52:54:00:ab:cd:ef'], ['eth0/flags', '0x1003'], ['eth0/speed', '10000'], ['eth0/mtu', '9000'],
      ['eth0/carrier_changes', '4'], ['tun0/operstate', 'unknown'], ['tun0/speed', '-1'], ['tun0/mtu', 'x'],
    ]));
    expect(pairs(r)).toEqual([
      ['node_network_up', { device: 'eth0' }, 1],
      ['node_network_info', { address: '52:54:00:ab:cd:ef', broadcast: '', device: 'eth0', duplex: '', ifalias: '', operstate: 'up' }, 1],
      ['node_network_carrier_changes_total', { device: 'eth0' }, 4],
      ['node_network_flags', { device: 'eth0' }, 0x1003],
      ['node_network_mtu_bytes', { device: 'eth0' }, 9000],
      ['node_network_speed_bytes', { device: 'eth0' }, 1_250_000_000],
      ['node_network_up', { device: 'tun0' }, 0],
      ['node_network_info', { address: '', broadcast: '', device: 'tun0', duplex: '', ifalias: '', operstate: 'unknown' }, 1],
      ['node_network_speed_bytes', { device: 'tun0' }, -125000],
    ]);
    expect(r.problems).toEqual(['class/net/tun0/mtu: cannot read "x"']);
  });
});

describe('slow-changing files between the frames that carry them', () => {
  const frame = (seq: number, slow: boolean, mtu: string) =>
    [
      `@@overlook-agent 5 begin ${seq}`,
      '@@meta proc_root /proc',
      '@@meta sys_root /sys',
      '@@meta arch x86_64',
      `@@meta slow ${slow ? 1 : 0}`,
      '@@section files',
      '==> /proc/stat <==',
      'cpu0 1 2 3 4 5 6 7 8',
      'btime 1700000000',
      '',
      '==> /proc/uptime <==',
      '100.50 200.00',
      '',
      '==> /proc/sys/kernel/hostname <==',
      'web-1',
      '',
      '==> /proc/sys/kernel/osrelease <==',
      '6.1.0',
      ...(slow
        ? ['', '==> /proc/sys/kernel/ostype <==', 'Linux', '', '==> /proc/sys/kernel/version <==', '#1 SMP', '', '==> /proc/sys/kernel/domainname <==', '(none)',
           '', '==> /sys/class/net/eth0/operstate <==', 'up', '', '==> /sys/class/net/eth0/mtu <==', mtu]
        : []),
      `@@overlook-agent 5 end ${seq}`,
      '',
    ].join('\n');
  const names = (results: ReturnType<ReturnType<typeof createAgentDecoder>['push']>) =>
    results.map((r) => {
      if (r.kind !== 'observation') throw new Error(JSON.stringify(r));
      const s = r.observation.series;
      return [s.find((x) => x.name === 'node_network_mtu_bytes')?.value, s.some((x) => x.name === 'node_uname_info'), s.find((x) => x.name === 'node_time_seconds')?.value];
    });
  it('a frame without them gets the last ones; a frame with them replaces them', () => {
    const decoder = createAgentDecoder();
    expect(names(decoder.push(frame(1, true, '1500') + frame(2, false, '') + frame(3, true, '9000') + frame(4, false, ''), 0))).toEqual([
      [1500, true, 1700000100.5],
      [1500, true, 1700000100.5],
      [9000, true, 1700000100.5],
      [9000, true, 1700000100.5],
    ]);
    // A new decoder (a new connection) carries nothing over.
    expect(names(createAgentDecoder().push(frame(1, false, ''), 0))).toEqual([[undefined, false, 1700000100.5]]);
  });
});

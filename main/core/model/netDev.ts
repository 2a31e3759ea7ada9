// One network interface's counters as /proc/net/dev lists them. Part of the
// leaf model because a container's network counters travel in this shape
// too (its init pid's /proc/PID/net/dev).

// /proc/net/dev columns (net/core/net-procfs.c, dev_seq_printf_stats), in
// node_exporter's names.
export const NET_FIELDS = [
  'receive_bytes',
  'receive_packets',
  'receive_errs',
  'receive_drop',
  'receive_fifo',
  'receive_frame',
  'receive_compressed',
  'receive_multicast',
  'transmit_bytes',
  'transmit_packets',
  'transmit_errs',
  'transmit_drop',
  'transmit_fifo',
  'transmit_colls',
  'transmit_carrier',
  'transmit_compressed',
] as const;

/** One interface's line of /proc/net/dev: its 16 counters in NET_FIELDS order (receive_bytes first, transmit_bytes 9th). */
export interface NetDevCounters {
  readonly device: string;
  readonly values: readonly number[];
}

/** Index of transmit_bytes in NetDevCounters.values (receive_bytes is 0). */
export const NET_TRANSMIT_BYTES = NET_FIELDS.indexOf('transmit_bytes');

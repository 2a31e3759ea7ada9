// How much a cumulative counter grew between two readings, telling growth
// apart from a reset and from a 32-bit wrap.

const RANGE_32 = 2 ** 32;

/**
 * The increase of a counter from `prev` to `cur`, or undefined when the
 * counter was reset (reboot, driver reload, device re-created): a reset
 * gives a gap, never a spike.
 *
 * 32-bit counters (diskstats and many NIC drivers' counters are
 * `unsigned long` / u32 on 32-bit kernels) wrap to 0 after 2^32 - 1. A
 * decrease is taken as a wrap when it looks like one and not like a reset:
 * `prev` was in the top quarter of the 32-bit range (≥ 3·2^30) and the
 * unwrapped increase, 2^32 - prev + cur, is below a quarter of the range
 * (< 2^30). A reset from a high value to a value that small would be
 * mistaken for a wrap; reboots are caught before this by the boot time, so
 * the remaining risk is one overstated point after a driver reload.
 * 64-bit wraps are not handled: they take centuries at line rate.
 */
export function counterIncrease(prev: number, cur: number): number | undefined {
  if (!Number.isFinite(prev) || !Number.isFinite(cur)) return undefined;
  if (cur >= prev) return cur - prev;
  if (prev < RANGE_32 && prev >= 3 * 2 ** 30) {
    const unwrapped = RANGE_32 - prev + cur;
    if (unwrapped < 2 ** 30) return unwrapped;
  }
  return undefined;
}

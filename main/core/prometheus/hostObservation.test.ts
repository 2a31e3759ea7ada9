// cAdvisor's spec families from a scraped or pushed cAdvisor land in the same
// fields the agent fills, so the export gives them back unchanged.
import { describe, expect, it } from 'vitest';
import { containersFromCadvisor, type PromSample } from './hostObservation.js';
import { cgroupStatsToSeries } from '../parse/cgroups/cgroupStats.js';

const ID = '3f6c2a9e1b7d4c8a0e5f92b1d6a4c7e8f0b3a5d9c2e6f1a4b8d7c0e3f5a9b2c6';

describe('cAdvisor spec families from a scraped cAdvisor', () => {
  it('shares, swap limit and reservation, 0 (none) included, come back under the same names and values', () => {
    const labels = { id: `/docker/${ID}`, name: 'web', image: 'nginx:1.27' };
    const samples: PromSample[] = [
      { name: 'container_spec_cpu_shares', labels, value: 512 },
      { name: 'container_spec_memory_swap_limit_bytes', labels, value: 0 },
      { name: 'container_spec_memory_reservation_limit_bytes', labels, value: 33554432 },
      { name: 'container_spec_memory_limit_bytes', labels, value: 67108864 },
    ];
    const obs = containersFromCadvisor(samples, new Set(), 1_700_000_000_000)!;
    const stats = obs.cgroups[0]!.stats;
    expect(stats).toMatchObject({ cpuShares: 512, memorySwapLimitBytes: 0, memoryReservationBytes: 33554432 });
    const back = Object.fromEntries(cgroupStatsToSeries(stats).map((s) => [s.name, s.value]));
    expect(back).toMatchObject({
      container_spec_cpu_shares: 512,
      container_spec_memory_swap_limit_bytes: 0,
      container_spec_memory_reservation_limit_bytes: 33554432,
      container_spec_memory_limit_bytes: 67108864,
    });
  });
});

// Mapping files: the shipped ones, user overrides, and files with mistakes
// (each problem names file, line and field; the rest keeps working).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findShippedMappingsDir, loadMappings } from './loadMappings.js';
import { parseMappingFile } from './mappingFile.js';

const shippedDir = findShippedMappingsDir();
let tmp: string | undefined;
afterEach(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});
function userDir(files: Record<string, string>): string {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-cloudmap-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(tmp, name), text);
  return tmp;
}

describe('shipped mappings', () => {
  const loaded = loadMappings({ shippedDir });

  it('load without a single problem', () => {
    expect(loaded.problems).toEqual([]);
    expect(loaded.files.map((f) => path.basename(f.file))).toEqual(['ecs.yaml', 'rds.yaml', 'slb.yaml']);
  });

  it('cover ECS/CVM/ECS, SLB/CLB/ELB and RDS/CDB/RDS on all three clouds', () => {
    const keys = loaded.products.map((p) => `${p.provider}/${p.product}`).sort();
    expect(keys).toEqual(['aliyun/ecs', 'aliyun/rds', 'aliyun/slb', 'huawei/ecs', 'huawei/rds', 'huawei/slb', 'tencent/ecs', 'tencent/rds', 'tencent/slb']);
    for (const provider of ['aliyun', 'tencent', 'huawei'] as const) {
      const ecs = loaded.products.find((p) => p.provider === provider && p.product === 'ecs')!;
      const names = ecs.metrics.map((m) => m.canonical);
      expect(names).toEqual(expect.arrayContaining(['cloud_cpu_utilization_ratio', 'cloud_memory_utilization_ratio', 'cloud_filesystem_used_ratio', 'cloud_network_receive_bytes_per_second', 'cloud_network_transmit_bytes_per_second']));
    }
  });

  it('carry namespace, statistic, scale and labels per cloud', () => {
    const pick = (provider: string, product: string, name: string) => loaded.products.find((p) => p.provider === provider && p.product === product)!.metrics.find((m) => m.canonical === name)!;
    expect(pick('aliyun', 'ecs', 'cloud_cpu_utilization_ratio')).toMatchObject({ namespace: 'acs_ecs_dashboard', metric: 'CPUUtilization', statistic: 'Average', scale: 0.01, instanceDimension: 'instanceId', unit: 'ratio', summary: 'cpu' });
    expect(pick('huawei', 'ecs', 'cloud_filesystem_used_ratio')).toMatchObject({ namespace: 'AGT.ECS', metric: 'disk_usedPercent', labels: { mountpoint: 'mount_point' } });
    expect(pick('tencent', 'ecs', 'cloud_network_receive_bytes_per_second')).toMatchObject({ metric: 'LanIntraffic', scale: 125000 });
    expect(pick('tencent', 'slb', 'cloud_lb_active_connections')).toMatchObject({ namespace: 'QCE/LB_PUBLIC', instanceDimension: 'vip' });
  });
});

describe('a mapping file with mistakes', () => {
  it('names the file, line and field of a typo, and suggests the right name', () => {
    const text = ['product: ecs', 'metrics:', '  - name: cloud_load_ratio', '    help: x', '    aliyun: { metirc: load_1m }', ''].join('\n');
    const { mapping, problems } = parseMappingFile(text, '/u/ecs-extra.yaml');
    expect(mapping?.metrics).toEqual([]);
    expect(problems).toEqual([
      { file: '/u/ecs-extra.yaml', line: 5, column: 13, field: 'metrics[0].aliyun.metric', message: 'is required (text)' },
      { file: '/u/ecs-extra.yaml', line: 5, column: 15, field: 'metrics[0].aliyun.metirc', message: 'unknown field `metirc` — did you mean `metric`?' },
    ]);
  });

  it('refuses a unit its name does not end in, and a statistic the cloud does not have', () => {
    const text = [
      'product: redis',
      'clouds: { aliyun: { namespace: acs_kvstore, instance_dimension: instanceId } }',
      'metrics:',
      '  - { name: cloud_redis_memory_bytes, help: m, unit: ratio, aliyun: { metric: MemoryUsage } }',
      '  - { name: cloud_redis_cpu_ratio, help: c, aliyun: { metric: CpuUsage, statistic: avg } }',
      '  - { name: cloud_redis_qps_per_second, help: q, aliyun: { metric: Qps } }',
    ].join('\n');
    const { mapping, problems } = parseMappingFile(text, 'redis.yaml');
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [4, 'metrics[0].unit'],
      [5, 'metrics[1].aliyun.statistic'],
    ]);
    expect(problems[1]!.message).toContain('Average, Maximum, Minimum');
    expect(mapping!.metrics.map((m) => m.name)).toEqual(['cloud_redis_qps_per_second']);
  });

  it('keeps the other files running when one has a YAML error', () => {
    const dir = userDir({ 'broken.yaml': 'product: ecs\nmetrics: [\n', 'fine.yaml': 'product: ecs\nmetrics:\n  - name: cloud_cpu_utilization_ratio\n    aliyun: { metric: CPUUtilization, statistic: Maximum, scale: 0.01 }\n' });
    const loaded = loadMappings({ shippedDir, userDir: dir });
    expect(loaded.problems.filter((p) => p.file.endsWith('broken.yaml')).length).toBeGreaterThanOrEqual(2);
    expect(loaded.problems.find((p) => p.file.endsWith('broken.yaml') && /not used until it is fixed/.test(p.message))).toBeTruthy();
    expect(loaded.files.find((f) => f.file.endsWith('broken.yaml'))!.used).toBe(false);
    // The good user file applied: Alibaba's CPU now takes Maximum, the others kept theirs.
    const cpu = (provider: string) => loaded.products.find((p) => p.provider === provider && p.product === 'ecs')!.metrics.find((m) => m.canonical === 'cloud_cpu_utilization_ratio')!;
    expect(cpu('aliyun').statistic).toBe('Maximum');
    expect(cpu('aliyun').help).toBe("Share of the instance's vCPUs in use");
    expect(cpu('tencent').statistic).toBe('avg');
  });

  it('lets a user file add a product, disable a metric, and says what a new metric lacks', () => {
    const dir = userDir({
      'redis.yaml': ['product: redis', 'title: Redis', 'clouds:', '  tencent: { namespace: QCE/REDIS_MEM, instance_dimension: instanceid, discovery: cvm }', 'metrics:', '  - { name: cloud_redis_cpu_ratio, help: CPU, tencent: { metric: CpuUtil, scale: 0.01 } }', '  - { name: cloud_redis_keys, tencent: { metric: Keys } }', '  - { name: cloud_redis_hits_ratio, help: hits, huawei: { metric: hit_rate } }'].join('\n'),
      'zz-ecs.yaml': 'product: ecs\nmetrics:\n  - { name: cloud_disk_read_bytes_per_second, disabled: true }\n',
    });
    const loaded = loadMappings({ shippedDir, userDir: dir });
    const redis = loaded.products.find((p) => p.provider === 'tencent' && p.product === 'redis')!;
    expect(redis.metrics.map((m) => m.canonical)).toEqual(['cloud_redis_cpu_ratio']);
    expect(loaded.problems.map((p) => [path.basename(p.file), p.field])).toEqual([
      ['redis.yaml', 'metrics[1].help'],
      ['redis.yaml', 'metrics[2].huawei'],
    ]);
    const ecs = loaded.products.find((p) => p.provider === 'aliyun' && p.product === 'ecs')!;
    expect(ecs.metrics.some((m) => m.canonical === 'cloud_disk_read_bytes_per_second')).toBe(false);
  });

  it('requires a Tencent discovery method and rejects a product name that is not a name', () => {
    const noDiscovery = parseMappingFile('product: cos\nclouds: { tencent: { namespace: QCE/COS, instance_dimension: bucket } }\n', 'cos.yaml');
    expect(noDiscovery.problems).toEqual([expect.objectContaining({ field: 'clouds.tencent.discovery', message: 'is required for tencent: one of cvm, clb, cdb' })]);
    const badName = parseMappingFile('product: My Product\n', 'x.yaml');
    expect(badName.mapping).toBeNull();
    expect(badName.problems[0]).toMatchObject({ field: 'product', line: 1 });
  });
});

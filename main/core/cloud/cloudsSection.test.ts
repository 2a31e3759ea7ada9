// The provisioning file's `clouds:` section: what it accepts, and the
// problems (file, line, field) for what it does not.
import { describe, expect, it } from 'vitest';
import { parseProvisioningText } from '../../testing/provisioningText.js';

const FILE = '/etc/overlook/overlook.yaml';

describe('clouds: in the provisioning file', () => {
  it('reads an account per cloud with keys by reference, durations and limits', () => {
    const text = [
      'clouds:',
      '  - name: prod-aliyun',
      '    provider: aliyun',
      '    regions: [cn-hangzhou, cn-shanghai]',
      '    access_key_id_env: ALI_ID',
      '    access_key_secret_file: keys/ali.secret',
      '    interval: 5m',
      '    delay: 3m',
      '    max_backfill: 12h',
      '    products: [ecs, rds]',
      '    limits: { DescribeMetricList: { rate: 20 } }',
      '  - name: hw',
      '    provider: huawei',
      '    regions: [cn-north-4]',
      '    access_key_id_env: HW_AK',
      '    access_key_secret_env: HW_SK',
      '    project_ids: { cn-north-4: 0f1e2d3c4b5a69788796a5b4c3d2e1f0 }',
      '    endpoint: ces-proxy.internal:8443',
      '    enabled: false',
      '',
    ].join('\n');
    const { config, problems } = parseProvisioningText(text, FILE);
    expect(problems).toEqual([]);
    expect(config!.clouds).toEqual([
      {
        name: 'prod-aliyun',
        provider: 'aliyun',
        regions: ['cn-hangzhou', 'cn-shanghai'],
        accessKeyId: { env: 'ALI_ID' },
        accessKeySecret: { file: 'keys/ali.secret' },
        intervalSeconds: 300,
        delaySeconds: 180,
        maxBackfillSeconds: 43_200,
        products: ['ecs', 'rds'],
        limits: { DescribeMetricList: { ratePerSecond: 20, burst: 5 } },
        enabled: true,
      },
      {
        name: 'hw',
        provider: 'huawei',
        regions: ['cn-north-4'],
        accessKeyId: { env: 'HW_AK' },
        accessKeySecret: { env: 'HW_SK' },
        projectIds: { 'cn-north-4': '0f1e2d3c4b5a69788796a5b4c3d2e1f0' },
        endpoint: 'ces-proxy.internal:8443',
        enabled: false,
      },
    ]);
  });

  it('leaves out a bad entry with its line and field, and keeps the good ones', () => {
    const text = [
      'clouds:',
      '  - name: ok',
      '    provider: tencent',
      '    regions: [ap-guangzhou]',
      '    access_key_id_env: T_ID',
      '    access_key_secret_env: T_KEY',
      '  - name: hw-no-project',
      '    provider: huawei',
      '    regions: [cn-north-4, cn-east-3]',
      '    access_key_id_env: A',
      '    access_key_secret_env: B',
      '    project_ids: { cn-north-4: abc }',
      '  - name: typo',
      '    provider: aliyun',
      '    regions: [cn-hangzhou]',
      '    acces_key_id_env: A',
      '    access_key_secret_env: B',
      '  - name: bad-limit',
      '    provider: tencent',
      '    regions: [ap-guangzhou]',
      '    access_key_id_env: A',
      '    access_key_secret_env: B',
      '    interval: 90s',
      '    limits: { DescribeMetricList: { rate: 5 } }',
      '  - name: google',
      '    provider: gcp',
      '    regions: [us-east1]',
      '    access_key_id_env: A',
      '    access_key_secret_env: B',
      '  - name: short-backfill',
      '    provider: aliyun',
      '    regions: [cn-hangzhou]',
      '    access_key_id_env: A',
      '    access_key_secret_env: B',
      '    interval: 1h',
      '    max_backfill: 30m',
      '',
    ].join('\n');
    const { config, problems } = parseProvisioningText(text, FILE);
    expect(config!.clouds.map((c) => c.name)).toEqual(['ok']);
    expect(problems.map((p) => [p.line, p.field, p.message])).toEqual([
      [12, 'clouds[1].project_ids', 'Huawei needs the project id of every region; missing for cn-east-3'],
      [16, 'clouds[2].acces_key_id_env', 'unknown field `acces_key_id_env` — did you mean `access_key_id_env`?'],
      [13, 'clouds[2]', "needs `access_key_id_env` (an environment variable's name) or `access_key_id_file` (a file path)"],
      [23, 'clouds[3].interval', 'the interval must be a whole number of periods (60 s)'],
      [24, 'clouds[3].limits.DescribeMetricList', 'tencent calls GetMonitorData, DescribeBaseMetrics, DescribeInstances, DescribeLoadBalancers, DescribeDBInstances; no API named DescribeMetricList'],
      [26, 'clouds[4].provider', 'must be one of aliyun, tencent, huawei'],
      [36, 'clouds[5].max_backfill', 'must be at least the interval plus one period (61 min here), or every cycle leaves a gap'],
    ]);
  });

  it('leaves out an account whose key is written in the file, without repeating it; the other accounts apply', () => {
    const text = [
      'clouds:',
      '  - name: a',
      '    provider: aliyun',
      '    regions: [cn-hangzhou]',
      '    access_key_id_env: A',
      '    access_key_secret: LTAIsupersecret',
      '  - name: b',
      '    provider: aliyun',
      '    regions: [cn-hangzhou]',
      '    access_key_id_env: B_ID',
      '    access_key_secret_env: B_SECRET',
      '',
    ].join('\n');
    const { config, problems } = parseProvisioningText(text, FILE);
    expect(config?.clouds.map((c) => c.name)).toEqual(['b']);
    expect(problems[0]).toMatchObject({ line: 6, field: 'clouds[0].access_key_secret' });
    expect(problems[0]!.message).toContain('access_key_secret_env');
    expect(JSON.stringify(problems)).not.toContain('LTAIsupersecret');
  });
});

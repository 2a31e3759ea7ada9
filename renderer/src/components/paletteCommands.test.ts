import { describe, expect, it } from 'vitest';
import type { AlertView, RuleView } from '../../../main/common/alertModel';
import type { CloudAccountView, CloudInstanceRow } from '../../../main/common/clouds';
import type { ContainerRow, Host } from '../../../main/common/contract';
import { translate } from '../i18n/catalogue';
import { parseRoute, hrefFor } from '../router';
import { paletteCommands } from './paletteCommands';

const t = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('en', key, params);
const host = (id: string): Host => ({ id, name: id, kind: 'ssh', status: 'online', pollIntervalMs: 5000, tags: ['db'], provisioned: false, address: `ops@${id}:22` });
const container = (name: string, extra: Partial<ContainerRow> = {}) =>
  ({ id: `${name}`.padEnd(64, '0'), name, image: 'postgres:16', sandbox: false, pod: null, namespace: null, seriesLabels: { container: name, image: 'postgres:16' }, ...extra }) as ContainerRow;

const commands = paletteCommands({
  hosts: [host('web-1'), host('db-1')],
  historyOnly: [{ hostId: 'old-1', lastSampleAt: 1, summary: {} as never }, { hostId: 'db-1', lastSampleAt: 1, summary: {} as never }],
  containers: {
    'db-1': [
      container('walk-db'),
      container('walk-db'), // the exited one a re-created container replaced: one entry
      container('POD', { sandbox: true }),
      container('k8s_api_api-7d9f_prod_0', { pod: 'api-7d9f', namespace: 'prod', seriesLabels: { container: 'api', pod: 'api-7d9f', namespace: 'prod' } }),
    ],
  },
  cloudAccounts: [{ name: 'prod-aliyun', provider: 'aliyun' } as CloudAccountView],
  cloudInstances: [{ account: 'prod-aliyun', instanceId: 'i-bp1', name: 'order-db', region: 'cn-hangzhou', product: 'ecs' } as CloudInstanceRow],
  rules: [{ rule: { id: 'builtin:host-offline', name: 'Host offline' } } as RuleView],
  alerts: [
    { alertId: 'r1|host=web-1', ruleId: 'r1', ruleName: 'CPU high', status: 'firing', muted: false, labels: { host: 'web-1' }, summary: 'CPU 97 %' } as unknown as AlertView,
    { alertId: 'r1|host=db-1', ruleId: 'r1', ruleName: 'CPU high', status: 'firing', muted: true, labels: { host: 'db-1' }, summary: '' } as unknown as AlertView,
    { alertId: 'r2|host=db-1', ruleId: 'r2', ruleName: 'Disk', status: 'pending', muted: false, labels: { host: 'db-1' }, summary: '' } as unknown as AlertView,
  ],
  t,
});
const byId = (id: string) => commands.find((c) => c.id === id);

describe('the command palette offers', () => {
  it('every screen', () => {
    expect(commands.filter((c) => c.id.startsWith('screen:')).map((c) => c.go!.route.screen)).toEqual(['overview', 'topk', 'clouds', 'checks', 'alerts', 'settings']);
  });

  it('every entity: hosts (history-only ones once), containers (not pod sandboxes, a re-created one once), cloud accounts and instances, rules', () => {
    expect(byId('host:web-1')).toMatchObject({ label: 'web-1', hint: 'Host', go: { route: { screen: 'host', hostId: 'web-1' } } });
    expect(byId('host:web-1')!.keywords).toContain('ops@web-1:22');
    expect(byId('host:old-1')).toMatchObject({ hint: 'Not configured' });
    expect(commands.filter((c) => c.id === 'host:db-1')).toHaveLength(1);
    const containers = commands.filter((c) => c.id.startsWith('container:'));
    expect(containers.map((c) => [c.label, c.hint])).toEqual([
      ['walk-db', 'Container on db-1'],
      ['api', 'Container on db-1'],
    ]);
    // The link opens the container by its series labels, as every other link does.
    const api = containers[1]!.go!.route;
    expect(parseRoute(hrefFor(api))).toEqual({ screen: 'container', hostId: 'db-1', container: 'api', namespace: 'prod', pod: 'api-7d9f' });
    expect(byId('cloud:prod-aliyun')).toMatchObject({ hint: 'Cloud account', go: { route: { screen: 'cloud-account', account: 'prod-aliyun' } } });
    expect(byId('cloud:prod-aliyun/i-bp1')).toMatchObject({ label: 'order-db', hint: 'Cloud instance in prod-aliyun', go: { route: { screen: 'cloud-instance', account: 'prod-aliyun', instanceId: 'i-bp1' } } });
    expect(byId('cloud:prod-aliyun/i-bp1')!.keywords).toContain('i-bp1');
    expect(byId('rule:builtin:host-offline')).toMatchObject({ hint: 'Alert rule', go: { route: { screen: 'alerts' }, focus: '[data-testid="rule-row"][data-rule="Host offline"]' } });
  });

  it('the common actions: add or import hosts, add a cloud account or a service check, silence what fires, the range, the theme, the language', () => {
    const actions = commands.filter((c) => c.run).map((c) => c.run!);
    expect(actions.filter((a) => a.kind === 'range').map((a) => (a as { range: string }).range)).toEqual(['15m', '1h', '6h', '24h', '7d', '30d']);
    expect(actions.filter((a) => a.kind === 'theme')).toHaveLength(3);
    expect(actions.filter((a) => a.kind === 'lang')).toHaveLength(2);
    for (const kind of ['add-host', 'import-hosts', 'add-cloud', 'add-check']) expect(actions.some((a) => a.kind === kind), kind).toBe(true);
    // Only firing alerts nobody silenced yet.
    expect(commands.filter((c) => c.run?.kind === 'silence').map((c) => c.label)).toEqual(['Silence “CPU high” on web-1 for 1 hour']);
    expect(byId('action:silence:r1|host=web-1')!.run).toEqual({ kind: 'silence', alertId: 'r1|host=web-1', durationMs: 3_600_000 });
  });
});

describe('the command palette in 简体中文', () => {
  it('names built-in rules in the UI language, in the rule entries and the silence actions, and still finds them by their English name', () => {
    const zh = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('zh-CN', key, params);
    const zhCommands = paletteCommands({
      hosts: [host('web-1')],
      historyOnly: [],
      containers: {},
      cloudAccounts: [],
      cloudInstances: [],
      rules: [{ rule: { id: 'builtin:host-offline', name: 'Host offline' } } as RuleView, { rule: { id: 'r1', name: 'CPU high' } } as RuleView],
      alerts: [{ alertId: 'builtin:host-offline|host=web-1', ruleId: 'builtin:host-offline', ruleName: 'Host offline', status: 'firing', muted: false, labels: { host: 'web-1' }, summary: '' } as unknown as AlertView],
      t: zh,
      lang: 'zh-CN',
    });
    const rule = zhCommands.find((c) => c.id === 'rule:builtin:host-offline')!;
    expect(rule.label).toBe('主机离线');
    expect(rule.keywords).toContain('Host offline');
    // A rule the user named keeps its name.
    expect(zhCommands.find((c) => c.id === 'rule:r1')!.label).toBe('CPU high');
    expect(zhCommands.find((c) => c.run?.kind === 'silence')!.label).toBe('将 web-1 上的“主机离线”静默 1 小时');
  });
});

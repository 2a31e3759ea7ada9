// One cloud account: its collector (state, last cycle, data freshness,
// pending backfill), each API's calls, throttles, errors and latency next to
// its budget and published quota, the recent errors in the cloud's words, and
// every instance with its key metrics.
import { useMemo, useState } from 'react';
import type { CloudAccountView } from '../../../../main/common/clouds';
import { formatDateTime, formatDuration, formatNumber, MISSING } from '../../../../main/common/format';
import { DetailHeader, type Fact } from '../../components/ScreenHeader';
import { Stat } from '../../components/Stat';
import { StateMessage } from '../../components/StateMessage';
import { useNow } from '../../hooks/useNow';
import type { MessageKey } from '../../i18n/catalogue';
import { useI18n, type I18n } from '../../i18n/useI18n';
import { hrefFor } from '../../router';
import { useClouds } from '../../stores/clouds';
import { formatCycleDuration, formatSince, productLabel } from './cloudDisplay';
import { filterCloudRows, productsOf } from './cloudRows';
import { CloudInstanceTable, CloudStateBadge, ProductSelect, ProviderTag } from './CloudInstanceTable';

export function CloudAccountScreen({ account: name }: { account: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const phase = useClouds((s) => s.phase);
  const account = useClouds((s) => s.accounts.find((a) => a.name === name));
  if (!account) {
    if (phase === 'loading') return <StateMessage tone="loading" title={t('cloud.loading')} />;
    return (
      <StateMessage tone="empty" title={t('cloud.notFound.title')} testId="cloud-not-found" action={<a className="btn" href={hrefFor({ screen: 'clouds' })}>{t('cloud.back')}</a>}>
        {t('cloud.notFound.body', { name })}
      </StateMessage>
    );
  }
  return <AccountScreen account={account} i18n={i18n} />;
}

/**
 * One note per product and cause, naming every region it holds for (a key
 * refused in one region is refused in all), in the account's order of
 * regions, whichever region's discovery answered first.
 */
function namesNotes(problems: CloudAccountView['status']['namesProblems'], accountRegions: readonly string[]) {
  const out = new Map<string, (typeof problems)[number] & { regions: string[] }>();
  for (const p of problems) {
    const key = `${p.product}|${p.kind}|${p.code}`;
    const seen = out.get(key);
    if (seen) seen.regions.push(p.region);
    else out.set(key, { ...p, regions: [p.region] });
  }
  const rank = (region: string) => {
    const i = accountRegions.indexOf(region);
    return i < 0 ? accountRegions.length : i;
  };
  for (const note of out.values()) note.regions.sort((x, y) => rank(x) - rank(y) || x.localeCompare(y));
  return [...out.values()];
}

function AccountScreen({ account: a, i18n }: { account: CloudAccountView; i18n: I18n }) {
  const { t, locale } = i18n;
  const now = useNow(5000);
  const allRows = useClouds((s) => s.instances);
  const rows = useMemo(() => allRows.filter((r) => r.account === a.name), [allRows, a.name]);
  const [text, setText] = useState('');
  const [product, setProduct] = useState<string | null>(null);
  const shown = useMemo(() => filterCloudRows(rows, { text, product }), [rows, text, product]);
  const s = a.status;
  const failedCalls = a.apis.reduce((n, api) => n + Object.values(api.errorsByCode).reduce((x, y) => x + y, 0), 0);

  const facts: Fact[] = [
    ['cloud.fact.provider', t(`cloud.provider.${a.provider}` as MessageKey)],
    ['cloud.fact.regions', a.regions.join(', ')],
    ['cloud.fact.key', a.accessKeyIdHint ?? MISSING],
    ['cloud.fact.timing', t('cloud.fact.timing.value', { period: formatDuration(a.periodSeconds, locale), interval: formatDuration(a.intervalSeconds, locale), delay: formatDuration(a.delaySeconds, locale) })],
    ['cloud.fact.products', a.products ? a.products.map((p) => productLabel(p, t)).join(', ') : t('cloud.fact.products.all')],
    ...(a.endpoint ? [['cloud.fact.endpoint', a.endpoint] as [MessageKey, string]] : []),
    ...(a.provider === 'huawei' ? [['cloud.fact.projects', Object.entries(a.projectIds).map(([r, p]) => `${r}: ${p}`).join(', ')] as [MessageKey, string]] : []),
  ];

  return (
    <div className="screen" data-testid="cloud-account-screen" data-account={a.name}>
      <DetailHeader
        back={[{ href: hrefFor({ screen: 'clouds' }), label: t('cloud.back') }]}
        title={a.name}
        facts={{ label: t('cloud.facts'), items: facts, mono: ['cloud.fact.key', 'cloud.fact.endpoint', 'cloud.fact.projects'] }}
      >
        <ProviderTag provider={a.provider} i18n={i18n} />
        <CloudStateBadge state={s.state} i18n={i18n} />
        {a.provisioned && <span className="badge badge--provisioned">{t('cloud.provisioned')}</span>}
        {(a.problem ?? s.stateDetail) && <span className="status-detail" data-testid="cloud-state-detail">{a.problem ?? s.stateDetail}</span>}
      </DetailHeader>

      <section className="stat-strip" aria-label={t('cloud.collector')} data-testid="cloud-collector">
        <Stat label={t('cloud.stat.instances')} value={formatNumber(s.instances, locale, 0)} sub={Object.entries(s.instancesByProduct).map(([p, n]) => `${productLabel(p, t)} ${n}`).join(' · ') || undefined} />
        <Stat label={t('cloud.stat.lastCycle')} value={s.lastCycleDurationMs === null ? MISSING : formatCycleDuration(s.lastCycleDurationMs, locale)} sub={s.lastCycleStartedAt ? formatSince(s.lastCycleStartedAt, now, locale) : undefined} />
        <Stat
          label={t('cloud.stat.calls')}
          title={t('cloud.minimumCalls.hint')}
          value={s.lastCycleCalls === null ? MISSING : formatNumber(s.lastCycleCalls, locale, 0)}
          sub={
            s.lastCycleMinimumCalls === null
              ? undefined
              : [
                  t('cloud.stat.calls.minimum', { count: formatNumber(s.lastCycleMinimumCalls, locale, 0) }),
                  ...(s.lastCycleDiscoveryCalls ? [t('cloud.stat.calls.discovery', { count: formatNumber(s.lastCycleDiscoveryCalls, locale, 0) })] : []),
                ].join(' · ')
          }
          testId="cloud-stat-calls"
        />
        <Stat label={t('cloud.stat.samples')} value={s.lastCycleSamples === null ? MISSING : formatNumber(s.lastCycleSamples, locale, 0)} />
        <Stat label={t('cloud.collectedUntil')} value={s.collectedUntil ? formatSince(s.collectedUntil, now, locale) : MISSING} sub={s.collectedUntil ? formatDateTime(s.collectedUntil, locale) : undefined} />
        <Stat label={t('cloud.stat.lagging')} title={t('cloud.stat.lagging.hint')} value={formatNumber(s.laggingSeries, locale, 0)} testId="cloud-stat-lagging" />
        <Stat
          label={t('cloud.monthlyCalls')}
          title={t('cloud.monthlyCalls.hint')}
          value={a.projectedMonthlyCalls === null ? MISSING : formatNumber(a.projectedMonthlyCalls, locale, 0)}
          sub={a.freeMonthlyCalls ? t('cloud.stat.free', { count: formatNumber(a.freeMonthlyCalls, locale, 0) }) : undefined}
        />
        <Stat
          label={t('cloud.stat.discovery')}
          value={s.lastDiscoveryAt ? formatSince(s.lastDiscoveryAt, now, locale) : MISSING}
          sub={s.lastDiscoveryCalls === null ? undefined : t('cloud.stat.discovery.calls', { count: formatNumber(s.lastDiscoveryCalls, locale, 0) })}
          testId="cloud-stat-discovery"
        />
      </section>

      {s.unavailableMetrics.length > 0 && (
        <p className="note" data-testid="cloud-unavailable">
          {t('cloud.unavailable', { metrics: s.unavailableMetrics.join(', ') })}
        </p>
      )}

      {namesNotes(s.namesProblems, a.regions).map((p) => (
        <p key={`${p.product}|${p.kind}|${p.code}`} className={`inline-note inline-note--warn cloud-names-note cloud-names-note--${p.kind}`} data-testid="cloud-names-problem" data-kind={p.kind}>
          {t(p.kind === 'permission_denied' ? 'cloud.names.denied' : 'cloud.names.failed', { product: productLabel(p.product, t), region: p.regions.join(', '), api: p.api, code: p.code, permission: p.permission })}
        </p>
      ))}

      <div className="cloud-account-panels">
        <section className="panel" aria-labelledby="cloud-apis-title">
          <h2 className="panel-title" id="cloud-apis-title">
            {t('cloud.apis.title')}
          </h2>
          <div className="table-scroll">
            <table className="data-table cloud-api-table" data-testid="cloud-apis">
              <thead>
                <tr>
                  <th scope="col">{t('cloud.apis.api')}</th>
                  <th scope="col" className="num" title={t('cloud.apis.budget.hint')}>
                    {t('cloud.apis.budget')}
                  </th>
                  <th scope="col" className="num">
                    {t('cloud.apis.calls')}
                  </th>
                  <th scope="col" className="num">
                    {t('cloud.apis.throttles')}
                  </th>
                  <th scope="col">{t('cloud.apis.errors')}</th>
                  <th scope="col" className="num">
                    {t('cloud.apis.latency')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {a.apis.map((api) => (
                  <tr key={api.api} data-api={api.api}>
                    <td className="mono">{api.api}</td>
                    <td className="num">
                      {t('cloud.apis.budget.value', { rate: formatNumber(api.ratePerSecond, locale, 2), burst: api.burst })}
                      {api.publishedPerSecond !== null && <span className="muted small"> / {t('cloud.apis.quota', { rate: formatNumber(api.publishedPerSecond, locale, 2) })}</span>}
                    </td>
                    <td className="num" data-testid="cloud-api-calls">
                      {formatNumber(api.calls, locale, 0)}
                    </td>
                    <td className={`num${api.throttles > 0 ? ' cloud-warn-text' : ''}`}>{formatNumber(api.throttles, locale, 0)}</td>
                    <td className="small">
                      {Object.keys(api.errorsByCode).length === 0
                        ? MISSING
                        : Object.entries(api.errorsByCode).map(([code, n]) => (
                            <span key={code} className="cloud-error-code">
                              <span className="mono">{code}</span> ×{formatNumber(n, locale, 0)}
                            </span>
                          ))}
                    </td>
                    <td className="num">
                      {api.latencyMeanMs === null ? MISSING : t('cloud.apis.latency.value', { mean: formatNumber(api.latencyMeanMs, locale, 0), p95: formatNumber(api.latencyP95Ms ?? 0, locale, 0) })}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>

        <section className="panel" aria-labelledby="cloud-errors-title" data-testid="cloud-errors">
          <h2 className="panel-title" id="cloud-errors-title">
            {t('cloud.errors.title')}
          </h2>
          {s.recentErrors.length === 0 ? (
            // The API table counts every failed call since the start (a dialog's Test included): say so rather than "no errors" beside it.
            <p className="muted" data-testid="cloud-errors-none">
              {failedCalls === 0 ? t('cloud.errors.none') : t('cloud.errors.noneRecent', { count: formatNumber(failedCalls, locale, 0) })}
            </p>
          ) : (
            <ul className="cloud-error-list">
              {s.recentErrors.map((e, i) => (
                <li key={i} data-kind={e.kind}>
                  <span className="muted small num" title={formatDateTime(e.at, locale)}>
                    {formatSince(e.at, now, locale)}
                  </span>{' '}
                  <span className="mono">{e.api}</span>
                  {e.region && <span className="mono muted"> {e.region}</span>} <span className={`badge badge--${e.kind === 'throttled' ? 'warn' : 'bad'}`}>{t(`cloud.errorKind.${e.kind}` as MessageKey)}</span> <span className="mono">{e.code}</span>{' '}
                  <span className="cloud-error-message">{e.message}</span>
                  {e.count > 1 && <span className="muted"> ×{formatNumber(e.count, locale, 0)}</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      <section aria-labelledby="cloud-instances-title">
        <div className="screen-head">
          <h2 className="panel-title" id="cloud-instances-title">
            {t('cloud.instances.title')}
          </h2>
          <span className="muted">{shown.length === rows.length ? formatNumber(rows.length, locale, 0) : t('fleet.countFiltered', { shown: formatNumber(shown.length, locale, 0), total: formatNumber(rows.length, locale, 0) })}</span>
        </div>
        {rows.length > 0 && (
          <div className="toolbar" role="search">
            <input type="search" className="input" data-testid="cloud-filter" placeholder={t('cloud.filter.placeholder')} aria-label={t('cloud.filter.placeholder')} value={text} onChange={(e) => setText(e.target.value)} />
            <ProductSelect products={productsOf(rows)} value={product} onChange={setProduct} i18n={i18n} testId="cloud-product" />
          </div>
        )}
        {rows.length === 0 ? (
          <StateMessage tone="empty" title={t('cloud.instances.empty.title')}>
            {t('cloud.instances.empty.body')}
          </StateMessage>
        ) : (
          <CloudInstanceTable rows={shown} i18n={i18n} now={now} oneAccount testId="cloud-account-instances" />
        )}
      </section>
    </div>
  );
}

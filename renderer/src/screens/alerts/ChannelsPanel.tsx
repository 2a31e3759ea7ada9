// The notification channels: where alerts go besides the desktop popup. Each
// row says where it posts (the host only; URLs carry tokens and never come
// back), whether its secrets are set, which rules use it, and offers Test;
// channels added here can be edited and removed, provisioned ones are read-only.
import { useState } from 'react';
import type { ChannelTestResult, ChannelView } from '../../../../main/common/alertChannels';
import { formatList } from '../../../../main/common/format';
import { core } from '../../coreClient';
import type { MessageKey } from '../../i18n/catalogue';
import type { I18n } from '../../i18n/useI18n';
import { ChannelDialog } from './ChannelDialog';
import { channelTestText } from './channelForm';
import { ruleDisplayName } from './alertTexts';

export function ChannelsPanel({ channels, i18n, act }: { channels: ChannelView[]; i18n: I18n; act: (fn: () => Promise<unknown>) => Promise<void> }) {
  const { t } = i18n;
  const [dialog, setDialog] = useState<{ channel?: ChannelView } | null>(null);
  const [tests, setTests] = useState<Record<string, ChannelTestResult | 'running'>>({});
  const runTest = async (name: string) => {
    setTests((s) => ({ ...s, [name]: 'running' }));
    try {
      const result = await core.call('alerts/channel-test', { name });
      setTests((s) => ({ ...s, [name]: result }));
    } catch (err) {
      setTests((s) => ({ ...s, [name]: { ok: false, error: (err as Error).message, durationMs: 0 } }));
    }
  };
  return (
    <section className="panel" aria-labelledby="alerts-channels-title" data-testid="channels-panel">
      <div className="panel-head">
        <h2 id="alerts-channels-title" className="panel-title">
          {t('alerts.channels.title')}
        </h2>
        <button type="button" className="btn btn--primary" data-testid="add-channel" onClick={() => setDialog({})}>
          {t('alerts.channels.add')}
        </button>
      </div>
      <p className="muted small">{t('alerts.channels.intro')}</p>
      <div className="table-wrap">
        <table className="data-table" data-testid="channels-table">
          <thead>
            <tr>
              <th scope="col">{t('alerts.col.channel')}</th>
              <th scope="col">{t('alerts.channels.col.type')}</th>
              <th scope="col">{t('alerts.channels.col.target')}</th>
              <th scope="col">{t('alerts.channels.col.secret')}</th>
              <th scope="col">{t('alerts.channels.col.usedBy')}</th>
              <th scope="col">{t('alerts.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {channels.map((c) => {
              const test = tests[c.name];
              return (
                <tr key={c.name} data-testid="channel-row" data-channel={c.name} data-origin={c.origin}>
                  <th scope="row">
                    <div className="alert-name">
                      {c.origin === 'builtin' ? t('alerts.channel.desktop') : c.name}{' '}
                      {c.origin === 'provisioned' && (
                        <span className="badge badge--provisioned" title={t('alerts.origin.provisioned.hint')}>
                          {t('alerts.origin.provisioned')}
                        </span>
                      )}
                      {c.origin === 'builtin' && <span className="badge badge--builtin">{t('alerts.origin.builtin')}</span>}
                    </div>
                  </th>
                  <td>{t(`alerts.channelType.${c.type}` as MessageKey)}</td>
                  <td className="small" data-testid="channel-target">
                    {targetText(c, i18n)}
                  </td>
                  <td className="small" data-testid="channel-secret">
                    {c.alertmanager && c.alertmanager.auth.kind !== 'none' ? authText(c.alertmanager.auth, i18n) : c.secret ? secretText(c.secret, i18n) : '—'}
                  </td>
                  <td className="small cell-list">{c.usedBy.length ? usedByText(c, i18n) : <span className="muted">{t('alerts.channels.unused')}</span>}</td>
                  <td className="alert-actions">
                    <button type="button" className="btn btn--small" data-testid="test-channel" disabled={test === 'running'} onClick={() => void runTest(c.name)}>
                      {test === 'running' ? t('alerts.channels.testing') : t('alerts.channels.test')}
                    </button>
                    {c.origin === 'user' && (
                      <>
                        <button type="button" className="btn btn--small" data-testid="edit-channel" onClick={() => setDialog({ channel: c })}>
                          {t('alerts.rules.edit')}
                        </button>
                        <button
                          type="button"
                          className="btn btn--small btn--danger"
                          data-testid="remove-channel"
                          onClick={() => {
                            const confirmText = c.usedBy.length ? t('alerts.channels.removeConfirmUsed', { name: c.name, rules: usedByText(c, i18n) }) : t('alerts.channels.removeConfirm', { name: c.name });
                            if (window.confirm(confirmText)) void act(() => core.call('alerts/channel-remove', { name: c.name }));
                          }}
                        >
                          {t('alerts.rules.delete')}
                        </button>
                      </>
                    )}
                    {c.origin === 'provisioned' && <span className="muted small"> {t('alerts.rules.readOnly')}</span>}
                    {test && test !== 'running' && (
                      <div className={test.ok ? 'small cell-note test-summary-ok' : 'small cell-note error-text'} data-testid="channel-test-result" data-ok={test.ok} role="status">
                        {channelTestText(test, t)}
                      </div>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {dialog && <ChannelDialog channel={dialog.channel} onClose={() => setDialog(null)} />}
    </section>
  );
}

function usedByText(c: ChannelView, i18n: I18n): string {
  return formatList(c.usedBy.map((r) => ruleDisplayName(r, i18n)), i18n.locale);
}

function targetText(c: ChannelView, i18n: I18n): string {
  const { t } = i18n;
  if (!c.url) return t('alerts.channels.target.desktop');
  if (!c.url.set) return c.url.reference ? t('alerts.channels.notSetFrom', { reference: c.url.reference }) : t('alerts.channels.notSet');
  const host = c.url.host ?? '';
  return c.url.reference ? t('alerts.channels.target.fromReference', { host, reference: c.url.reference }) : t('alerts.channels.target.host', { host });
}

function secretText(secret: NonNullable<ChannelView['secret']>, i18n: I18n): string {
  const { t } = i18n;
  if (!secret.set) return secret.reference ? t('alerts.channels.notSetFrom', { reference: secret.reference }) : t('alerts.channels.notSet');
  return secret.reference ? t('alerts.channels.setFrom', { reference: secret.reference }) : t('alerts.channels.set');
}

/** An Alertmanager's authentication: its kind (and user), and whether the token or password is set, never its value. */
function authText(auth: NonNullable<ChannelView['alertmanager']>['auth'], i18n: I18n): string {
  const state = secretText({ set: auth.set, origin: auth.origin, reference: auth.reference }, i18n);
  return auth.kind === 'basic' ? i18n.t('alerts.channels.authState.basic', { user: auth.username ?? '', state }) : i18n.t('alerts.channels.authState.bearer', { state });
}

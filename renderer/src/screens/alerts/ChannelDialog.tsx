// Add a notification channel, or edit one added here: its type, its name
// (how rules refer to it), the URL it posts to and, for DingTalk, the robot's
// signing secret. Both are write-only: an edit shows whether they are set and
// keeps them when left empty. An Alertmanager channel takes its URLs (an HA
// pair lists both), a resend interval and basic auth or a bearer token, the
// token or password write-only like the others. "Test" sends a test message
// (for Alertmanager, a test alert) with what the form holds and shows the
// receiver's answer.
import { useState } from 'react';
import { ADDABLE_CHANNEL_TYPES, CHANNEL_AUTH_KINDS, CHANNEL_TYPE_FIELDS, type ChannelAuthKind, type ChannelDraft, type ChannelTestResult, type ChannelView } from '../../../../main/common/alertChannels';
import { FormFooter } from '../../components/FormFooter';
import { FormModal } from '../../components/Modal';
import { textFieldsFor } from '../../components/TextField';
import { core } from '../../coreClient';
import { useCheckedForm } from '../../hooks/useCheckedForm';
import type { MessageKey } from '../../i18n/catalogue';
import { useI18n } from '../../i18n/useI18n';
import { channelFormFromView, channelTestText, checkChannelForm, emptyChannelForm, type ChannelFormField, type ChannelFormState } from './channelForm';

export function ChannelDialog({ channel, onClose }: { channel?: ChannelView; onClose: () => void }) {
  const { t } = useI18n();
  const editing = channel !== undefined;
  const [form, setForm] = useState<ChannelFormState>(() => (channel ? channelFormFromView(channel) : emptyChannelForm()));
  const storedAuth = channel?.alertmanager?.auth;
  // The stored token or password counts only for the auth kind it was stored for.
  const authSet = editing && channel.type === 'alertmanager' && storedAuth?.set === true && storedAuth.kind === form.auth;
  const check = checkChannelForm(form, editing, authSet);
  const f = useCheckedForm<ChannelFormField, ChannelDraft, ChannelTestResult>({
    invalid: check.ok ? [] : check.problems,
    draft: check.ok ? check.draft : null,
    fixFieldsMessage: t('alerts.channels.form.fixFields'),
  });
  const { busy, test, error } = f;
  const set = (patch: Partial<ChannelFormState>) => {
    setForm((current) => ({ ...current, ...patch }));
    f.resetTest();
  };
  const problem = (field: ChannelFormField) => (
    <p className="field-problem" data-testid={`channel-form-error-${field}`}>
      {t(`alerts.channels.form.error.${field}` as MessageKey)}
    </p>
  );
  const input = textFieldsFor(form, set, f, problem, 'channel-form');
  const takesSecret = CHANNEL_TYPE_FIELDS[form.type].secret !== 'none';
  const alertmanager = form.type === 'alertmanager';
  const secretSet = editing && channel.type === form.type && channel.secret?.set === true;
  const save = () =>
    f.runSave(async (draft) => {
      if (editing) await core.call('alerts/channel-update', { name: channel.name, draft });
      else await core.call('alerts/channel-add', draft);
      onClose();
    });

  return (
    <FormModal title={editing ? t('alerts.channels.form.editTitle', { name: channel.name }) : t('alerts.channels.form.addTitle')} onClose={onClose} testId="channel-form" onSubmit={() => void save()}>
      <div className="host-form-grid">
        <fieldset className="field field--wide">
          <legend className="field-label">{t('alerts.channels.form.type')}</legend>
          <div className="segmented" role="radiogroup">
            {ADDABLE_CHANNEL_TYPES.map((type) => (
              <label key={type} className="segment" aria-pressed={form.type === type}>
                <input type="radio" name="channel-type" className="sr-only" value={type} checked={form.type === type} data-testid={`channel-form-type-${type}`} onChange={() => set({ type })} />
                {t(`alerts.channelType.${type}` as MessageKey)}
              </label>
            ))}
          </div>
        </fieldset>
        {input('name', t('alerts.channels.form.name'), { hint: t('alerts.channels.form.name.hint'), disabled: editing, className: 'field--wide', placeholder: `ops-${form.type}` })}
        {!alertmanager &&
          input('url', t('alerts.channels.form.url'), {
            hint: editing && channel.url?.set ? t('alerts.channels.form.url.keep') : t(`alerts.channels.form.url.hint.${form.type}` as MessageKey),
            className: 'field--wide',
            placeholder: editing && channel.url?.set ? t('alerts.channels.set') : URL_EXAMPLES[form.type as keyof typeof URL_EXAMPLES],
          })}
        {alertmanager && (
          <>
            <label className="field field--wide">
              <span className="field-label">{t('alerts.channels.form.urls')}</span>
              <textarea
                className="input"
                rows={2}
                value={form.urls}
                placeholder={'http://am-1:9093\nhttp://am-2:9093'}
                aria-invalid={f.bad('urls')}
                data-testid="channel-form-urls"
                spellCheck={false}
                onChange={(e) => set({ urls: e.target.value })}
                onBlur={() => f.touch('urls')}
              />
              {f.bad('urls') ? problem('urls') : <span className="field-hint">{t('alerts.channels.form.urls.hint')}</span>}
            </label>
            {input('resend', t('alerts.channels.form.resend'), { hint: t('alerts.channels.form.resend.hint'), placeholder: '1m' })}
            <label className="field">
              <span className="field-label">{t('alerts.channels.form.auth')}</span>
              <select className="input" value={form.auth} data-testid="channel-form-auth" onChange={(e) => set({ auth: e.target.value as ChannelAuthKind, authSecret: '' })}>
                {CHANNEL_AUTH_KINDS.map((kind) => (
                  <option key={kind} value={kind}>
                    {t(`alerts.channels.auth.${kind}` as MessageKey)}
                  </option>
                ))}
              </select>
            </label>
            {form.auth === 'basic' && input('username', t('alerts.channels.form.username'), { placeholder: 'overlook' })}
            {form.auth !== 'none' &&
              input('authSecret', t(form.auth === 'bearer' ? 'alerts.channels.form.token' : 'alerts.channels.form.password'), {
                type: 'password',
                hint: authSet ? t('alerts.channels.form.authSecret.keep') : t('alerts.channels.form.authSecret.hint'),
                className: form.auth === 'bearer' ? 'field--wide' : '',
                placeholder: authSet ? t('alerts.channels.set') : '',
              })}
          </>
        )}
        {takesSecret &&
          input('secret', t('alerts.channels.form.secret'), {
            type: 'password',
            hint: secretSet ? t('alerts.channels.form.secret.keep') : t('alerts.channels.form.secret.hint'),
            className: 'field--wide',
            placeholder: secretSet ? t('alerts.channels.set') : 'SEC…',
            disabled: form.removeSecret,
          })}
        {takesSecret && secretSet && (
          <label className="toggle field--wide">
            <input type="checkbox" checked={form.removeSecret} data-testid="channel-form-remove-secret" onChange={(e) => set({ removeSecret: e.target.checked, secret: '' })} />
            {t('alerts.channels.form.secret.remove')}
          </label>
        )}
      </div>

      {test && (
        <div className={`test-report ${test.ok ? 'test-report--ok' : 'test-report--bad'}`} data-testid="channel-test-report" data-ok={test.ok} role="status">
          <p className={test.ok ? 'test-summary-ok' : 'form-error'}>{channelTestText(test, t)}</p>
        </div>
      )}
      <FormFooter
        testIdPrefix="channel-form"
        error={error}
        busy={busy}
        onTest={() => void f.runTest((draft) => core.call('alerts/channel-test', editing ? { draft, editing: channel.name } : { draft }))}
        onClose={onClose}
        labels={{ test: t('alerts.channels.test'), testing: t('alerts.channels.testing'), cancel: t('alerts.editor.cancel'), save: t('alerts.channels.form.save'), saving: t('alerts.channels.form.saving') }}
      />
    </FormModal>
  );
}

const URL_EXAMPLES = {
  webhook: 'https://example.com/alerts',
  slack: 'https://hooks.slack.com/services/…',
  dingtalk: 'https://oapi.dingtalk.com/robot/send?access_token=…',
  wecom: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…',
} as const;

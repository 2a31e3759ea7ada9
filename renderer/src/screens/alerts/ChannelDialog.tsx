// Add a notification channel, or edit one added here: its type, its name
// (how rules refer to it), the URL it posts to and, for DingTalk, the robot's
// signing secret. Both are write-only: an edit shows whether they are set and
// keeps them when left empty. "Test" sends a test message with what the form
// holds and shows the receiver's answer.
import { useState } from 'react';
import { ADDABLE_CHANNEL_TYPES, CHANNEL_TYPE_FIELDS, type ChannelDraft, type ChannelTestResult, type ChannelView } from '../../../../main/common/alertChannels';
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
  const check = checkChannelForm(form, editing);
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
        {input('url', t('alerts.channels.form.url'), {
          hint: editing && channel.url?.set ? t('alerts.channels.form.url.keep') : t(`alerts.channels.form.url.hint.${form.type}` as MessageKey),
          className: 'field--wide',
          placeholder: editing && channel.url?.set ? t('alerts.channels.set') : URL_EXAMPLES[form.type],
        })}
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

import { useState, type ReactNode } from 'react';
import type { TargetDefinitionView, TargetDraftInput, TargetTestView } from '../../../../main/common/promHosts';
import { FormFooter } from '../../components/FormFooter';
import { FormModal } from '../../components/Modal';
import { SecretStorageNote } from '../../components/SecretStorageNote';
import { textFieldsFor } from '../../components/TextField';
import { core } from '../../coreClient';
import { useCheckedForm } from '../../hooks/useCheckedForm';
import type { MessageKey } from '../../i18n/catalogue';
import { useI18n } from '../../i18n/useI18n';
import { checkTargetForm, emptyTargetForm, targetFormFromDefinition, type TargetAuthChoice, type TargetField, type TargetFormState } from './targetForm';

/** Add a host watched through its node_exporter, or edit one added in the UI: every field checked, a test scrape, then Save. */
export function TargetFormDialog({ definition, onClose, onSaved, header }: { definition?: TargetDefinitionView; onClose: () => void; onSaved?: (id: string) => void; header?: ReactNode }) {
  const { t } = useI18n();
  const editing = definition !== undefined;
  const [form, setForm] = useState<TargetFormState>(() => (definition ? targetFormFromDefinition(definition) : emptyTargetForm()));
  const check = checkTargetForm(form, editing);
  const f = useCheckedForm<TargetField, TargetDraftInput, TargetTestView>({ invalid: check.ok ? [] : check.fields, draft: check.ok ? check.draft : null, fixFieldsMessage: t('hostForm.fixFields') });
  const set = (patch: Partial<TargetFormState>) => {
    setForm((current) => ({ ...current, ...patch }));
    f.resetTest();
  };
  const problem = (field: TargetField) => (
    <p className="field-problem" data-testid={`target-form-error-${field}`}>
      {t(`targetForm.error.${field}` as MessageKey)}
    </p>
  );
  const input = textFieldsFor(form, set, f, problem, 'target-form');
  const secretSet = definition?.auth.type === 'bearer' ? definition.auth.tokenSet : definition?.auth.type === 'basic' ? definition.auth.passwordSet : false;
  const save = () =>
    f.runSave(async (draft) => {
      const host = editing ? await core.call('targets/update', { hostId: definition.name, draft }) : await core.call('targets/add', draft);
      onSaved?.(host.id);
      onClose();
    });
  return (
    <FormModal title={editing ? t('hostForm.title.edit', { name: definition.name }) : t('hostForm.title.addAny')} onClose={onClose} testId="target-form" onSubmit={() => void save()}>
      {header}
      <div className="host-form-grid">
        {input('name', t('hostForm.name'), { hint: t('hostForm.name.hint'), disabled: editing, className: 'field--wide' })}
        {input('nodeExporter', t('targetForm.nodeExporter'), { hint: t('targetForm.nodeExporter.hint'), placeholder: 'http://web-1:9100/metrics', className: 'field--wide' })}
        {input('cadvisor', t('targetForm.cadvisor'), { hint: t('targetForm.cadvisor.hint'), placeholder: 'http://web-1:8080/metrics', className: 'field--wide' })}
        <fieldset className="field field--wide">
          <legend className="field-label">{t('targetForm.auth')}</legend>
          <div className="segmented" role="radiogroup">
            {(['none', 'bearer', 'basic'] as TargetAuthChoice[]).map((a) => (
              <label key={a} className="segment" aria-pressed={form.authType === a}>
                <input type="radio" name="target-auth" className="sr-only" value={a} checked={form.authType === a} data-testid={`target-form-auth-${a}`} onChange={() => set({ authType: a, secret: '' })} />
                {t(`targetForm.auth.${a}` as MessageKey)}
              </label>
            ))}
          </div>
        </fieldset>
        {form.authType === 'basic' && input('username', t('targetForm.username'), { className: 'field--wide' })}
        {form.authType !== 'none' &&
          input('secret', t(form.authType === 'bearer' ? 'targetForm.token' : 'hostForm.password'), {
            type: 'password',
            hint: secretSet ? t('targetForm.secret.keep') : t('hostForm.secret.hint'),
            className: 'field--wide',
          })}
        {form.authType !== 'none' && <SecretStorageNote className="field--wide" />}
        {input('caFile', t('targetForm.caFile'), { hint: t('targetForm.caFile.hint'), placeholder: '/etc/ssl/internal-ca.pem', className: 'field--wide' })}
        {input('interval', t('hostForm.interval'), { type: 'number', className: 'field--narrow' })}
        {input('tags', t('hostForm.tags'), { hint: t('hostForm.tags.hint'), className: 'field--span2' })}
        <p className="field-hint field--wide">{t('targetForm.noProcesses')}</p>
        <label className="toggle field--wide">
          <input type="checkbox" checked={form.enabled} data-testid="target-form-enabled" onChange={(e) => set({ enabled: e.target.checked })} />
          {t('hostForm.enabled')}
        </label>
      </div>
      {f.test && (
        <div className={`test-report ${f.test.ok ? 'test-report--ok' : 'test-report--bad'}`} data-testid="target-test-report" data-ok={f.test.ok} role="status">
          <ol className="test-steps">
            {f.test.endpoints.map((e) => (
              <li key={e.endpoint} className={e.ok ? 'step-ok' : 'step-bad'} data-ok={e.ok}>
                <span className="step-mark" aria-hidden="true">
                  {e.ok ? '✓' : '✗'}
                </span>
                <span className="step-name">{e.endpoint === 'node_exporter' ? 'node_exporter' : 'cAdvisor'}</span>
                <span className="mono muted small">{e.url}</span>
                <span className="step-detail">{e.ok ? t('targetForm.test.series', { series: e.series, hostname: e.hostname ?? '?' }) : e.detail}</span>
                <span className="muted small num">{e.ms} ms</span>
              </li>
            ))}
          </ol>
        </div>
      )}
      <FormFooter
        testIdPrefix="target-form"
        error={f.error}
        busy={f.busy}
        onTest={() => void f.runTest((draft) => core.call('targets/test', draft))}
        onClose={onClose}
        labels={{ test: t('targetForm.test'), testing: t('hostForm.testing'), cancel: t('hostForm.cancel'), save: t('hostForm.save'), saving: t('hostForm.saving') }}
      />
    </FormModal>
  );
}

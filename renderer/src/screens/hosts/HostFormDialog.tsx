import { useState } from 'react';
import type { HostDefinitionView, HostDraftInput, TestConnectionView } from '../../../../main/common/sshHosts';
import { FormFooter } from '../../components/FormFooter';
import { textFieldsFor } from '../../components/TextField';
import { useCheckedForm } from '../../hooks/useCheckedForm';
import { core } from '../../coreClient';
import type { MessageKey } from '../../i18n/catalogue';
import { useI18n } from '../../i18n/useI18n';
import { checkForm, emptyForm, formFromDefinition, nameFromAddress, type AuthChoice, type FormField, type HostFormState } from './hostForm';
import { FormModal } from '../../components/Modal';
import { hostKeyFileAlgo } from './HostKeyPrompt';
import { SecretStorageNote } from '../../components/SecretStorageNote';

/** Add a host, or edit one added in the UI (`definition` given): every field checked, a step-by-step connection test, then Save. */
export function HostFormDialog({ definition, onClose, onSaved }: { definition?: HostDefinitionView; onClose: () => void; onSaved?: (id: string) => void }) {
  const { t } = useI18n();
  const editing = definition !== undefined;
  const [form, setForm] = useState<HostFormState>(() => (definition ? formFromDefinition(definition) : emptyForm()));
  const check = checkForm(form, editing);
  const f = useCheckedForm<FormField, HostDraftInput, TestConnectionView>({ invalid: check.ok ? [] : check.fields, draft: check.ok ? check.draft : null, fixFieldsMessage: t('hostForm.fixFields') });
  const { busy, test, error } = f;
  // Adding: the name follows the address as it is typed, until the user types a name of their own.
  const [nameEdited, setNameEdited] = useState(editing);
  const set = (patch: Partial<HostFormState>) => {
    if ('name' in patch) setNameEdited(true);
    setForm((current) => ({ ...current, ...patch, ...(!nameEdited && !('name' in patch) && 'host' in patch ? { name: nameFromAddress(patch.host ?? '') } : {}) }));
    f.resetTest();
  };
  const problem = (field: FormField) => (
    <p className="field-problem" data-testid={`host-form-error-${field}`}>
      {t(`hostForm.error.${field}` as MessageKey)}
    </p>
  );
  const runTest = (trustHostKey?: string) => f.runTest((draft) => core.call('hosts/test', { ...draft, ...(trustHostKey ? { trustHostKey } : {}) }));
  const save = () =>
    f.runSave(async (draft) => {
      const host = editing ? await core.call('hosts/update', { hostId: definition.name, draft }) : await core.call('hosts/add', draft);
      onSaved?.(host.id);
      onClose();
    });

  const input = textFieldsFor(form, set, f, problem, 'host-form');

  const passwordSet = definition?.auth.type === 'password' && definition.auth.passwordSet;
  const passphraseSet = definition?.auth.type === 'key' && definition.auth.passphraseSet;

  return (
    <FormModal title={editing ? t('hostForm.title.edit', { name: definition.name }) : t('hostForm.title.add')} onClose={onClose} testId="host-form" onSubmit={() => void save()}>
        <div className="host-form-grid">
          {input('name', t('hostForm.name'), { hint: t('hostForm.name.hint'), disabled: editing, className: 'field--wide' })}
          {input('host', t('hostForm.host'), { placeholder: 'web-1.example.com' })}
          {input('port', t('hostForm.port'), { type: 'number', className: 'field--narrow' })}
          {input('user', t('hostForm.user'), { placeholder: 'deploy' })}
          <fieldset className="field field--wide">
            <legend className="field-label">{t('hostForm.auth')}</legend>
            <div className="segmented" role="radiogroup">
              {(['key', 'password', 'agent'] as AuthChoice[]).map((a) => (
                <label key={a} className="segment" aria-pressed={form.authType === a}>
                  <input type="radio" name="auth" className="sr-only" value={a} checked={form.authType === a} data-testid={`host-form-auth-${a}`} onChange={() => set({ authType: a })} />
                  {t(`hostForm.auth.${a}` as MessageKey)}
                </label>
              ))}
            </div>
          </fieldset>
          {form.authType === 'key' && (
            <>
              {input('keyFile', t('hostForm.keyFile'), { className: 'field--wide' })}
              {input('passphrase', t('hostForm.passphrase'), { type: 'password', hint: passphraseSet ? t('hostForm.passphrase.keep') : t('hostForm.secret.hint'), className: 'field--wide' })}
            </>
          )}
          {form.authType === 'password' && input('password', t('hostForm.password'), { type: 'password', hint: passwordSet ? t('hostForm.password.keep') : t('hostForm.secret.hint'), className: 'field--wide' })}
          {form.authType !== 'agent' && <SecretStorageNote className="field--wide" />}
          {form.authType === 'agent' && <p className="field-hint field--wide">{t('hostForm.agent.hint')}</p>}
          {input('jump', t('hostForm.jump'), { hint: t('hostForm.jump.hint'), className: 'field--wide', placeholder: 'bastion, ops@gw.example.com:2222' })}
          {input('interval', t('hostForm.interval'), { type: 'number', className: 'field--narrow' })}
          {input('tags', t('hostForm.tags'), { hint: t('hostForm.tags.hint'), className: 'field--span2' })}
          {input('engineSocket', t('hostForm.engineSocket'), { hint: t('hostForm.engineSocket.hint'), className: 'field--wide', placeholder: '/run/user/1000/docker.sock' })}
          <label className="toggle field--wide">
            <input type="checkbox" checked={form.enabled} data-testid="host-form-enabled" onChange={(e) => set({ enabled: e.target.checked })} />
            {t('hostForm.enabled')}
          </label>
        </div>

        {test && <TestReport result={test} busy={busy !== null} onTrust={(fingerprint) => void runTest(fingerprint)} />}
        <FormFooter
          testIdPrefix="host-form"
          error={error}
          busy={busy}
          onTest={() => void runTest()}
          onClose={onClose}
          labels={{ test: t('hostForm.test'), testing: t('hostForm.testing'), cancel: t('hostForm.cancel'), save: t('hostForm.save'), saving: t('hostForm.saving') }}
        />
    </FormModal>
  );
}

/**
 * The test's steps. An unknown host key is a question, not a failure: its
 * fingerprint is shown to compare with the server's, and "Trust and
 * continue" tests again with that key trusted, on to the login and the agent.
 */
function TestReport({ result, busy, onTrust }: { result: TestConnectionView; busy: boolean; onTrust: (fingerprint: string) => void }) {
  const { t } = useI18n();
  const asking = !result.ok && result.error?.kind === 'host_key_unknown' && result.error.hostKey ? result.error.hostKey : undefined;
  const state = result.ok ? 'ok' : asking ? 'ask' : 'bad';
  return (
    <div className={`test-report test-report--${state}`} data-testid="host-test-report" data-ok={result.ok} data-state={state} role="status">
      <ol className="test-steps">
        {result.steps.map((s, i) => {
          const question = asking !== undefined && s.step === 'host_key' && !s.ok;
          return (
            <li key={i} className={s.ok ? 'step-ok' : question ? 'step-ask' : 'step-bad'} data-step={s.step} data-ok={s.ok}>
              <span className="step-mark" aria-hidden="true">
                {s.ok ? '✓' : question ? '?' : '✗'}
              </span>
              <span className="step-name">{t(`testStep.${s.step}` as MessageKey)}</span>
              <span className="sr-only">{s.ok ? t('testStep.ok') : question ? t('testStep.question') : t('testStep.failed')}</span>
              {s.hop && <span className="mono muted small">{s.hop}</span>}
              <span className="step-detail">{question ? t('hostForm.test.keyUnknown') : s.detail}</span>
              <span className="muted small num">{s.ms} ms</span>
            </li>
          );
        })}
      </ol>
      {asking ? (
        <div className="test-trust" data-testid="host-test-trust">
          <p className="test-trust-question">{t('hostForm.test.trustQuestion', { host: `${asking.host}:${asking.port}`, keyType: asking.keyType })}</p>
          <dl className="hostkey-facts">
            <div>
              <dt>{t('hostKey.keyType')}</dt>
              <dd className="mono">{asking.keyType}</dd>
            </div>
            <div>
              <dt>{t('hostKey.fingerprint')}</dt>
              <dd className="mono hostkey-fingerprint" data-testid="host-test-fingerprint">
                {asking.fingerprint}
              </dd>
            </div>
          </dl>
          <p className="muted small">{t('hostKey.compareHint', { algo: hostKeyFileAlgo(asking.keyType) })}</p>
          <button type="button" className="btn btn--primary" data-testid="host-test-trust-button" disabled={busy} onClick={() => onTrust(asking.fingerprint)}>
            {t('hostForm.test.trust')}
          </button>
        </div>
      ) : (
        <p className={result.ok ? 'test-summary-ok' : 'form-error'}>{result.ok ? t('hostForm.test.ok') : t('hostForm.test.failed', { message: result.error?.message ?? '' })}</p>
      )}
    </div>
  );
}

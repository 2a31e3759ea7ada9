import { useState } from 'react';
import type { HostDefinitionView, TestConnectionView } from '../../../../main/common/sshHosts';
import { core } from '../../core-client';
import type { MessageKey } from '../../i18n/catalogue';
import { useI18n } from '../../i18n/useI18n';
import { checkForm, emptyForm, formFromDefinition, type AuthChoice, type FormField, type HostFormState } from './host-form';
import { Modal } from './Modal';

/** Add a host, or edit one added in the UI (`definition` given): every field checked, a step-by-step connection test, then Save. */
export function HostFormDialog({ definition, onClose, onSaved }: { definition?: HostDefinitionView; onClose: () => void; onSaved?: (id: string) => void }) {
  const { t } = useI18n();
  const editing = definition !== undefined;
  const [form, setForm] = useState<HostFormState>(() => (definition ? formFromDefinition(definition) : emptyForm()));
  const [shown, setShown] = useState<Set<FormField>>(new Set());
  const [busy, setBusy] = useState<'test' | 'save' | null>(null);
  const [test, setTest] = useState<TestConnectionView | null>(null);
  const [error, setError] = useState<string | null>(null);

  const check = checkForm(form, editing);
  const invalid = new Set(check.ok ? [] : check.fields);
  const set = (patch: Partial<HostFormState>) => {
    setForm((f) => ({ ...f, ...patch }));
    setTest(null);
  };
  const touch = (field: FormField) => setShown((s) => new Set(s).add(field));
  const bad = (field: FormField) => shown.has(field) && invalid.has(field);
  const problem = (field: FormField) =>
    bad(field) ? (
      <p className="field-problem" data-testid={`host-form-error-${field}`}>
        {t(`hostForm.error.${field}` as MessageKey)}
      </p>
    ) : null;

  const guard = (): boolean => {
    if (check.ok) return true;
    setShown(new Set([...shown, ...check.fields]));
    setError(t('hostForm.fixFields'));
    return false;
  };

  const runTest = async () => {
    if (!guard() || !check.ok) return;
    setBusy('test');
    setError(null);
    setTest(null);
    try {
      setTest(await core.call('hosts/test', check.draft));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const save = async () => {
    if (!guard() || !check.ok) return;
    setBusy('save');
    setError(null);
    try {
      const host = editing ? await core.call('hosts/update', { hostId: definition.name, draft: check.draft }) : await core.call('hosts/add', check.draft);
      onSaved?.(host.id);
      onClose();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const input = (field: FormField & keyof HostFormState, label: string, extra: { hint?: string; type?: string; className?: string; disabled?: boolean; placeholder?: string } = {}) => (
    <label className={`field ${extra.className ?? ''}`}>
      <span className="field-label">{label}</span>
      <input
        type={extra.type ?? 'text'}
        value={String(form[field])}
        disabled={extra.disabled}
        placeholder={extra.placeholder}
        aria-invalid={bad(field)}
        data-testid={`host-form-${field}`}
        autoComplete={extra.type === 'password' ? 'new-password' : 'off'}
        onChange={(e) => set({ [field]: e.target.value } as Partial<HostFormState>)}
        onBlur={() => touch(field)}
      />
      {extra.hint && !bad(field) && <span className="field-hint">{extra.hint}</span>}
      {problem(field)}
    </label>
  );

  const passwordSet = definition?.auth.type === 'password' && definition.auth.passwordSet;
  const passphraseSet = definition?.auth.type === 'key' && definition.auth.passphraseSet;

  return (
    <Modal title={editing ? t('hostForm.title.edit', { name: definition.name }) : t('hostForm.title.add')} onClose={onClose} testId="host-form" wide>
      <form
        className="host-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
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
          {form.authType === 'agent' && <p className="field-hint field--wide">{t('hostForm.agent.hint')}</p>}
          {input('jump', t('hostForm.jump'), { hint: t('hostForm.jump.hint'), className: 'field--wide', placeholder: 'bastion, ops@gw.example.com:2222' })}
          {input('interval', t('hostForm.interval'), { type: 'number', className: 'field--narrow' })}
          {input('tags', t('hostForm.tags'), { hint: t('hostForm.tags.hint'), className: 'field--span2' })}
          <label className="toggle field--wide">
            <input type="checkbox" checked={form.enabled} data-testid="host-form-enabled" onChange={(e) => set({ enabled: e.target.checked })} />
            {t('hostForm.enabled')}
          </label>
        </div>

        {test && <TestReport result={test} />}
        {error && (
          <p className="form-error" role="alert" data-testid="host-form-error">
            {error}
          </p>
        )}

        <div className="form-actions modal-actions">
          <button type="button" className="btn" data-testid="host-form-test" disabled={busy !== null} onClick={() => void runTest()}>
            {busy === 'test' ? t('hostForm.testing') : t('hostForm.test')}
          </button>
          <span className="spacer" />
          <button type="button" className="btn btn--plain" onClick={onClose}>
            {t('hostForm.cancel')}
          </button>
          <button type="submit" className="btn btn--primary" data-testid="host-form-save" disabled={busy !== null}>
            {busy === 'save' ? t('hostForm.saving') : t('hostForm.save')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function TestReport({ result }: { result: TestConnectionView }) {
  const { t } = useI18n();
  return (
    <div className={`test-report ${result.ok ? 'test-report--ok' : 'test-report--bad'}`} data-testid="host-test-report" data-ok={result.ok} role="status">
      <ol className="test-steps">
        {result.steps.map((s, i) => (
          <li key={i} className={s.ok ? 'step-ok' : 'step-bad'} data-step={s.step} data-ok={s.ok}>
            <span className="step-mark" aria-hidden="true">
              {s.ok ? '✓' : '✗'}
            </span>
            <span className="step-name">{t(`testStep.${s.step}` as MessageKey)}</span>
            <span className="sr-only">{s.ok ? t('testStep.ok') : t('testStep.failed')}</span>
            {s.hop && <span className="mono muted small">{s.hop}</span>}
            <span className="step-detail">{s.detail}</span>
            <span className="muted small num">{s.ms} ms</span>
          </li>
        ))}
      </ol>
      <p className={result.ok ? 'test-summary-ok' : 'form-error'}>
        {result.ok
          ? t('hostForm.test.ok')
          : result.error?.hostKey && result.error.kind === 'host_key_unknown'
            ? t('hostForm.test.keyHint', { fingerprint: result.error.hostKey.fingerprint })
            : t('hostForm.test.failed', { message: result.error?.message ?? '' })}
      </p>
    </div>
  );
}

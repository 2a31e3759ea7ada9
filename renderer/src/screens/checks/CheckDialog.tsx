// Add a service check, or edit one added in the UI: its kind (HTTP, TCP, TLS,
// ping), the fields that kind takes, the vantage points it runs from (this
// console and any SSH host, several at once), interval and timeout; for HTTP
// request headers and basic/bearer auth, whose secrets go to the console's
// secret store and never come back (the form says "set", an empty field keeps
// it); for TLS and HTTPS the days before expiry it warns at. Checked with the
// core's schema as fields are left; a check cannot be renamed (its name labels
// its history).
import { useMemo, useState } from 'react';
import { CHECK_KINDS, CONSOLE_VANTAGE, isSecretHeader, MAX_HEADERS, type CheckDraft, type CheckView } from '../../../../main/common/checks';
import { FormFooter } from '../../components/FormFooter';
import { FormModal } from '../../components/Modal';
import { textFieldsFor } from '../../components/TextField';
import { core } from '../../coreClient';
import { useCheckedForm } from '../../hooks/useCheckedForm';
import type { MessageKey } from '../../i18n/catalogue';
import { useI18n } from '../../i18n/useI18n';
import { useHosts } from '../../stores/hosts';
import { putCheck } from '../../stores/checks';
import { checkCheckForm, checkFormFromView, emptyCheckForm, HTTP_METHODS, type CheckFormField, type CheckFormState } from './checkForm';

const TARGET_PLACEHOLDER = { http: 'https://api.example.com/health', tcp: 'db.internal:5432', tls: 'mail.example.com:465', ping: 'gw.internal' } as const;

export function CheckDialog({ check, onClose }: { check?: CheckView; onClose: () => void }) {
  const { t } = useI18n();
  const editing = check !== undefined;
  const [form, setForm] = useState<CheckFormState>(() => (check ? checkFormFromView(check) : emptyCheckForm()));
  const hosts = useHosts((s) => s.hosts);
  const sshHosts = useMemo(() => hosts.filter((h) => h.kind === 'ssh'), [hosts]);
  const result = checkCheckForm(form);
  const f = useCheckedForm<CheckFormField, CheckDraft, never>({
    invalid: result.ok ? [] : (Object.keys(result.problems) as CheckFormField[]),
    draft: result.ok ? result.draft : null,
    fixFieldsMessage: t('checkForm.fixFields'),
  });
  const set = (patch: Partial<CheckFormState>) => setForm((current) => ({ ...current, ...patch }));
  const problem = (field: CheckFormField) => (
    <p className="field-problem" data-testid={`check-form-error-${field}`}>
      {t(`checkForm.error.${field}` as MessageKey)}
    </p>
  );
  const input = textFieldsFor(form, set, f, problem, 'check-form');
  const save = () =>
    f.runSave(async (draft) => {
      putCheck(editing ? await core.call('checks/update', { name: check.name, draft }) : await core.call('checks/add', draft));
      onClose();
    });
  const toggleVantage = (v: string, on: boolean) => {
    set({ vantages: on ? [...form.vantages.filter((x) => x !== v), v] : form.vantages.filter((x) => x !== v) });
    f.touch('vantages');
  };
  // An SSH host the check names that is gone stays listed, so an edit does not drop it unseen.
  const vantageChoices = [CONSOLE_VANTAGE, ...sshHosts.map((h) => h.id), ...form.vantages.filter((v) => v !== CONSOLE_VANTAGE && !sshHosts.some((h) => h.id === v))];
  const hostName = (id: string) => sshHosts.find((h) => h.id === id)?.name ?? id;
  const setHeader = (i: number, patch: Partial<CheckFormState['headers'][number]>) => set({ headers: form.headers.map((h, j) => (j === i ? { ...h, ...patch, ...(patch.name !== undefined && patch.name !== h.name ? { secretSet: false } : {}) } : h)) });
  const showsCertDays = form.kind === 'tls' || (form.kind === 'http' && form.target.trim().toLowerCase().startsWith('https:'));

  return (
    <FormModal title={editing ? t('checkForm.title.edit', { name: check.name }) : t('checkForm.title.add')} onClose={onClose} testId="check-form" onSubmit={() => void save()}>
      <div className="host-form-grid">
        <fieldset className="field field--wide">
          <legend className="field-label">{t('checkForm.kind')}</legend>
          <div className="segmented" role="radiogroup">
            {CHECK_KINDS.map((k) => (
              <label key={k} className="segment" aria-pressed={form.kind === k}>
                <input type="radio" name="check-kind" className="sr-only" value={k} checked={form.kind === k} disabled={editing} data-testid={`check-form-kind-${k}`} onChange={() => set({ kind: k })} />
                {t(`checks.kind.${k}` as MessageKey)}
              </label>
            ))}
          </div>
        </fieldset>
        {input('name', t('checkForm.name'), { hint: t(editing ? 'checkForm.name.fixed' : 'checkForm.name.hint'), disabled: editing, className: 'field--wide', placeholder: 'api-health' })}
        {input('target', t(`checkForm.target.${form.kind}` as MessageKey), { hint: t(`checkForm.target.${form.kind}.hint` as MessageKey), className: 'field--wide', placeholder: TARGET_PLACEHOLDER[form.kind] })}
        {form.kind === 'http' && (
          <>
            <label className="field">
              <span className="field-label">{t('checkForm.method')}</span>
              <select className="input" value={form.method} data-testid="check-form-method" onChange={(e) => set({ method: e.target.value as CheckFormState['method'] })}>
                {HTTP_METHODS.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            </label>
            {input('expectStatus', t('checkForm.expectStatus'), { hint: t('checkForm.expectStatus.hint'), placeholder: '200, 204', className: 'field--span2' })}
            <fieldset className="field field--wide">
              <legend className="field-label">{t('checkForm.bodyMatch')}</legend>
              <div className="inline-form check-body-match">
                <select className="input" value={form.bodyMatchType} data-testid="check-form-bodyMatchType" aria-label={t('checkForm.bodyMatch.type')} onChange={(e) => set({ bodyMatchType: e.target.value as CheckFormState['bodyMatchType'] })}>
                  <option value="substring">{t('checkForm.bodyMatch.substring')}</option>
                  <option value="regex">{t('checkForm.bodyMatch.regex')}</option>
                </select>
                <input
                  className="input mono"
                  value={form.bodyMatch}
                  data-testid="check-form-bodyMatch"
                  aria-label={t('checkForm.bodyMatch')}
                  aria-invalid={f.bad('bodyMatch')}
                  spellCheck={false}
                  placeholder={form.bodyMatchType === 'regex' ? 'ok|ready' : '"status":"ok"'}
                  onChange={(e) => set({ bodyMatch: e.target.value })}
                  onBlur={() => f.touch('bodyMatch')}
                />
              </div>
              {f.bad('bodyMatch') ? problem('bodyMatch') : <span className="field-hint">{t('checkForm.bodyMatch.hint')}</span>}
            </fieldset>
            <fieldset className="field field--wide" data-testid="check-form-headers">
              <legend className="field-label">{t('checkForm.headers')}</legend>
              {form.headers.map((h, i) => {
                const secret = isSecretHeader(h.name.trim());
                return (
                  <div key={i} className="inline-form check-header-row" data-testid="check-form-header-row">
                    <input
                      className="input mono"
                      value={h.name}
                      placeholder="X-Probe"
                      aria-label={t('checkForm.headers.name')}
                      aria-invalid={f.bad('headers')}
                      spellCheck={false}
                      data-testid={`check-form-header-name-${i}`}
                      onChange={(e) => setHeader(i, { name: e.target.value })}
                      onBlur={() => f.touch('headers')}
                    />
                    <input
                      className="input mono"
                      type={secret ? 'password' : 'text'}
                      autoComplete={secret ? 'new-password' : 'off'}
                      value={h.value}
                      placeholder={secret && h.secretSet ? t('checkForm.headers.secretSet') : t('checkForm.headers.value')}
                      aria-label={t('checkForm.headers.value')}
                      aria-invalid={f.bad('headers')}
                      spellCheck={false}
                      data-testid={`check-form-header-value-${i}`}
                      data-secret={secret}
                      onChange={(e) => setHeader(i, { value: e.target.value })}
                      onBlur={() => f.touch('headers')}
                    />
                    <button type="button" className="btn btn--small" aria-label={t('checkForm.headers.remove', { name: h.name })} data-testid={`check-form-header-remove-${i}`} onClick={() => set({ headers: form.headers.filter((_, j) => j !== i) })}>
                      ×
                    </button>
                  </div>
                );
              })}
              <div>
                <button type="button" className="btn btn--small" data-testid="check-form-header-add" disabled={form.headers.length >= MAX_HEADERS} onClick={() => set({ headers: [...form.headers, { name: '', value: '', secretSet: false }] })}>
                  {t('checkForm.headers.add')}
                </button>
              </div>
              {f.bad('headers') ? problem('headers') : <span className="field-hint">{t('checkForm.headers.hint')}</span>}
            </fieldset>
            <fieldset className="field field--wide" data-testid="check-form-auth">
              <legend className="field-label">{t('checkForm.auth')}</legend>
              <div className="inline-form check-auth-row">
                <select className="input" value={form.authType} aria-label={t('checkForm.auth')} data-testid="check-form-authType" onChange={(e) => set({ authType: e.target.value as CheckFormState['authType'] })}>
                  <option value="none">{t('checkForm.auth.none')}</option>
                  <option value="basic">{t('checkForm.auth.basic')}</option>
                  <option value="bearer">{t('checkForm.auth.bearer')}</option>
                </select>
                {form.authType === 'basic' && (
                  <input className="input" value={form.authUsername} placeholder={t('checkForm.auth.username')} aria-label={t('checkForm.auth.username')} aria-invalid={f.bad('auth')} autoComplete="off" spellCheck={false} data-testid="check-form-authUsername" onChange={(e) => set({ authUsername: e.target.value })} onBlur={() => f.touch('auth')} />
                )}
                {form.authType !== 'none' && (
                  <input
                    className="input"
                    type="password"
                    autoComplete="new-password"
                    value={form.authSecret}
                    placeholder={form.authSecretSet ? t('checkForm.headers.secretSet') : t(form.authType === 'basic' ? 'checkForm.auth.password' : 'checkForm.auth.token')}
                    aria-label={t(form.authType === 'basic' ? 'checkForm.auth.password' : 'checkForm.auth.token')}
                    aria-invalid={f.bad('auth')}
                    data-testid="check-form-authSecret"
                    onChange={(e) => set({ authSecret: e.target.value })}
                    onBlur={() => f.touch('auth')}
                  />
                )}
              </div>
              {f.bad('auth') ? problem('auth') : form.authType !== 'none' && <span className="field-hint">{form.authSecretSet ? t('checkForm.auth.secretSet') : t('checkForm.auth.hint')}</span>}
            </fieldset>
            <label className="toggle field--wide">
              <input type="checkbox" checked={form.followRedirects} data-testid="check-form-followRedirects" onChange={(e) => set({ followRedirects: e.target.checked })} />
              {t('checkForm.followRedirects')}
            </label>
          </>
        )}
        {form.kind === 'tcp' && input('banner', t('checkForm.banner'), { hint: t('checkForm.banner.hint'), className: 'field--wide', placeholder: 'SSH-2.0' })}
        {showsCertDays && input('certWarnDays', t('checkForm.certWarnDays'), { type: 'number', hint: t('checkForm.certWarnDays.hint'), placeholder: '14', className: 'field--wide' })}
        {form.kind === 'tls' && input('serverName', t('checkForm.serverName'), { hint: t('checkForm.serverName.hint'), className: 'field--wide', placeholder: 'mail.example.com' })}
        <fieldset className="field field--wide" data-testid="check-form-vantages">
          <legend className="field-label">{t('checkForm.vantages')}</legend>
          <div className="check-vantage-choices">
            {vantageChoices.map((v) => (
              <label key={v} className="toggle">
                <input type="checkbox" checked={form.vantages.includes(v)} data-testid={`check-form-vantage-${v}`} onChange={(e) => toggleVantage(v, e.target.checked)} />
                {v === CONSOLE_VANTAGE ? t('checks.vantage.console') : hostName(v)}
              </label>
            ))}
          </div>
          {f.bad('vantages') ? problem('vantages') : <span className="field-hint">{t(sshHosts.length === 0 ? 'checkForm.vantages.noHosts' : 'checkForm.vantages.hint')}</span>}
        </fieldset>
        {input('intervalSeconds', t('checkForm.interval'), { type: 'number', hint: t('checkForm.interval.hint'), placeholder: '30' })}
        {input('timeoutSeconds', t('checkForm.timeout'), { type: 'number', hint: t('checkForm.timeout.hint'), placeholder: '10', className: 'field--span2' })}
        <label className="toggle field--wide">
          <input type="checkbox" checked={form.enabled} data-testid="check-form-enabled" onChange={(e) => set({ enabled: e.target.checked })} />
          {t('checkForm.enabled')}
        </label>
      </div>
      <FormFooter testIdPrefix="check-form" error={f.error} busy={f.busy} onClose={onClose} labels={{ cancel: t('checkForm.cancel'), save: t('checkForm.save'), saving: t('checkForm.saving') }} />
    </FormModal>
  );
}

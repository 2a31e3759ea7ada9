// Add a cloud account, or edit one added in the UI: the provider's own names
// for its key halves, regions, Huawei's project id per region, and the
// collection timing; "Test" tries the keys against the cloud and shows its
// answer. Keys are write-only: an edit leaves them empty to keep the stored ones.
import { useState } from 'react';
import { CLOUD_KEY_NAMES, CLOUD_PROVIDERS, type CloudAccountDraft, type CloudAccountView, type CloudTestView } from '../../../../main/common/clouds';
import { FormFooter } from '../../components/FormFooter';
import { textFieldsFor } from '../../components/TextField';
import { useCheckedForm } from '../../hooks/useCheckedForm';
import { formatNumber } from '../../../../main/common/format';
import { core } from '../../coreClient';
import type { MessageKey } from '../../i18n/catalogue';
import { useI18n } from '../../i18n/useI18n';
import { FormModal } from '../../components/Modal';
import { SecretStorageNote } from '../../components/SecretStorageNote';
import { productLabel } from './cloudDisplay';
import { checkCloudForm, cloudFormFromView, emptyCloudForm, splitList, type CloudFormField, type CloudFormState } from './cloudForm';

const REGION_EXAMPLES = { aliyun: 'cn-hangzhou, cn-shanghai', tencent: 'ap-guangzhou, ap-shanghai', huawei: 'cn-north-4, cn-east-3' } as const;

export function CloudAccountDialog({ account, onClose, onSaved }: { account?: CloudAccountView; onClose: () => void; onSaved?: (name: string) => void }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const editing = account !== undefined;
  const [form, setForm] = useState<CloudFormState>(() => (account ? cloudFormFromView(account) : emptyCloudForm()));
  const [advanced, setAdvanced] = useState(editing && (account.endpoint !== null || account.products !== null));
  const check = checkCloudForm(form, editing);
  const f = useCheckedForm<CloudFormField, CloudAccountDraft, CloudTestView>({
    invalid: check.ok ? [] : (Object.keys(check.problems) as CloudFormField[]),
    draft: check.ok ? check.draft : null,
    fixFieldsMessage: t('cloudForm.fixFields'),
  });
  const { touch, bad, busy, test, error } = f;
  const set = (patch: Partial<CloudFormState>) => {
    setForm((current) => ({ ...current, ...patch }));
    f.resetTest();
  };
  const problem = (field: CloudFormField) => (
    <p className="field-problem" data-testid={`cloud-form-error-${field}`}>
      {t(`cloudForm.error.${field}` as MessageKey)}
    </p>
  );
  const keys = CLOUD_KEY_NAMES[form.provider];
  const runTest = () => f.runTest((draft) => core.call('clouds/test', draft));
  const save = () =>
    f.runSave(async (draft) => {
      const saved = editing ? await core.call('clouds/update', { account: account.name, draft }) : await core.call('clouds/add', draft);
      onSaved?.(saved.name);
      onClose();
    });

  const input = textFieldsFor(form, set, f, problem, 'cloud-form');

  const regions = splitList(form.regions);
  return (
    <FormModal title={editing ? t('cloudForm.title.edit', { name: account.name }) : t('cloudForm.title.add')} onClose={onClose} testId="cloud-form" onSubmit={() => void save()}>
        <div className="host-form-grid">
          <fieldset className="field field--wide">
            <legend className="field-label">{t('cloudForm.provider')}</legend>
            <div className="segmented" role="radiogroup">
              {CLOUD_PROVIDERS.map((p) => (
                <label key={p} className="segment" aria-pressed={form.provider === p}>
                  <input type="radio" name="provider" className="sr-only" value={p} checked={form.provider === p} disabled={editing} data-testid={`cloud-form-provider-${p}`} onChange={() => set({ provider: p })} />
                  {t(`cloud.provider.${p}` as MessageKey)}
                </label>
              ))}
            </div>
          </fieldset>
          {input('name', t('cloudForm.name'), { hint: t('cloudForm.name.hint'), disabled: editing, className: 'field--wide', placeholder: `prod-${form.provider}` })}
          {input('regions', t('cloudForm.regions'), { hint: t('cloudForm.regions.hint', { example: REGION_EXAMPLES[form.provider] }), className: 'field--wide', placeholder: REGION_EXAMPLES[form.provider] })}
          {input('accessKeyId', keys.id, { hint: editing ? t('cloudForm.keyId.keep', { hint: account.accessKeyIdHint ?? '' }) : t('cloudForm.keyId.hint'), className: 'field--wide' })}
          {input('accessKeySecret', keys.secret, { type: 'password', hint: editing ? t('cloudForm.secret.keep') : t('cloudForm.secret.hint'), className: 'field--wide' })}
          <SecretStorageNote className="field--wide" />
          {form.provider === 'huawei' && (
            <fieldset className="field field--wide" data-testid="cloud-form-projects">
              <legend className="field-label">{t('cloudForm.projectIds')}</legend>
              {regions.length === 0 && <span className="field-hint">{t('cloudForm.projectIds.empty')}</span>}
              {regions.map((r) => (
                <label key={r} className="inline-form">
                  <span className="mono small cloud-project-region">{r}</span>
                  <input
                    className="input mono"
                    value={form.projectIds[r] ?? ''}
                    data-testid={`cloud-form-project-${r}`}
                    spellCheck={false}
                    aria-invalid={bad('projectIds')}
                    onChange={(e) => set({ projectIds: { ...form.projectIds, [r]: e.target.value } })}
                    onBlur={() => touch('projectIds')}
                  />
                </label>
              ))}
              {regions.length > 0 && !bad('projectIds') && <span className="field-hint">{t('cloudForm.projectIds.hint')}</span>}
              {bad('projectIds') && problem('projectIds')}
            </fieldset>
          )}
          {input('intervalSeconds', t('cloudForm.interval'), { type: 'number', hint: t('cloudForm.interval.hint'), placeholder: '60' })}
          {input('delaySeconds', t('cloudForm.delay'), { type: 'number', hint: t('cloudForm.delay.hint'), placeholder: form.provider === 'huawei' ? '180' : '120' })}
          <button type="button" className="text-btn field--wide cloud-advanced-toggle" aria-expanded={advanced} onClick={() => setAdvanced((a) => !a)} data-testid="cloud-form-advanced">
            {advanced ? '▾' : '▸'} {t('cloudForm.advanced')}
          </button>
          {advanced && (
            <>
              {input('endpoint', t('cloudForm.endpoint'), { hint: t('cloudForm.endpoint.hint'), className: 'field--wide', placeholder: 'cms-vpc.internal:443' })}
              {input('products', t('cloudForm.products'), { hint: t('cloudForm.products.hint'), className: 'field--wide', placeholder: 'ecs, slb, rds' })}
            </>
          )}
          <label className="toggle field--wide">
            <input type="checkbox" checked={form.enabled} data-testid="cloud-form-enabled" onChange={(e) => set({ enabled: e.target.checked })} />
            {t('cloudForm.enabled')}
          </label>
        </div>

        {test && (
          <div className={`test-report ${test.ok ? 'test-report--ok' : 'test-report--bad'}`} data-testid="cloud-test-report" data-ok={test.ok} role="status">
            <p className={test.ok ? 'test-summary-ok' : 'form-error'}>{test.ok ? t('cloudForm.test.ok') : t('cloudForm.test.failed', { message: test.message })}</p>
            {test.instances.length > 0 && (
              <ul className="cloud-test-regions">
                {test.instances.map((i) => (
                  <li key={i.region}>
                    <span className="mono">{i.region}</span>{' '}
                    {t('cloudForm.test.found', { count: formatNumber(i.count, locale, 0), product: productLabel(i.product, t) })}
                  </li>
                ))}
              </ul>
            )}
            {test.ok && test.namesDenied && (
              <p className="inline-note inline-note--warn" data-testid="cloud-test-names-denied">
                {t('cloud.names.denied', { ...test.namesDenied, product: productLabel(test.namesDenied.product, t) })}
              </p>
            )}
          </div>
        )}
        <FormFooter
          testIdPrefix="cloud-form"
          error={error}
          busy={busy}
          onTest={() => void runTest()}
          onClose={onClose}
          labels={{ test: t('cloudForm.test'), testing: t('cloudForm.testing'), cancel: t('cloudForm.cancel'), save: t('cloudForm.save'), saving: t('cloudForm.saving') }}
        />
    </FormModal>
  );
}

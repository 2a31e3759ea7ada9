import { useCallback, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import type { PreviewResult } from '../../../../main/common/alertModel';
import type { MetricChoiceView } from '../../../../main/common/contract';
import type { CloudMappingsView } from '../../../../main/common/clouds';
import { cloudMetricUnit } from '../../../../main/common/metrics';
import { formatDuration as formatDurationText, parseDuration } from '../../../../main/common/duration';
import { formatDuration, formatMetricValue, formatThreshold } from '../../../../main/common/format';
import { parseThreshold } from '../../../../main/common/thresholdUnits';
import { core } from '../../coreClient';
import type { MessageKey } from '../../i18n/catalogue';
import type { I18n } from '../../i18n/useI18n';
import { useClouds } from '../../stores/clouds';
import { MetricPicker } from './MetricPicker';
import { draftFromForm, ruleMetric, ruleUnit, suggestedWindowMs, withRuleType, withSelector, type RuleForm, type RuleFormField, type RuleFormProblems } from './ruleForm';

const PREVIEW_DEBOUNCE_MS = 400;
const PREVIEW_REFRESH_MS = 5000;
const CHOICES_REFRESH_MS = 5000;
const AGGREGATES = ['avg', 'max', 'min', 'last'] as const;
const OPS = ['>', '>=', '<', '<=', '==', '!='] as const;
const SEVERITIES = ['info', 'warning', 'critical'] as const;

type PreviewState = { kind: 'idle' } | { kind: 'loading' } | { kind: 'ready'; result: PreviewResult } | { kind: 'error'; message: string };

export function RuleEditor({
  initial,
  ruleId,
  channels,
  i18n,
  onSaved,
  onCancel,
}: {
  initial: RuleForm;
  ruleId?: string;
  channels: string[];
  i18n: I18n;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { t } = i18n;
  const [form, setForm] = useState<RuleForm>(initial);
  const [touched, setTouched] = useState<Partial<Record<RuleFormField, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [saveError, setSaveError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [preview, setPreview] = useState<PreviewState>({ kind: 'idle' });
  const { draft, problems } = useMemo(() => draftFromForm(form), [form]);
  const draftKey = draft ? JSON.stringify(draft) : '';
  const accounts = useClouds((s) => s.accounts);
  const cloudInstances = useClouds((s) => s.instances);
  // Cloud instances are named by id in their series; people know them by name.
  const instanceNames = useMemo(() => new Map(cloudInstances.filter((i) => i.name).map((i) => [`${i.account}/${i.instanceId}`, i.name!])), [cloudInstances]);
  const [choices, setChoices] = useState<MetricChoiceView[]>([]);
  // Asked when the editor opens and again, at most every few seconds, when the field is entered: series appear as hosts report.
  const choicesAsked = useRef(0);
  const refreshChoices = useCallback(() => {
    if (Date.now() - choicesAsked.current < CHOICES_REFRESH_MS) return;
    choicesAsked.current = Date.now();
    core.call('series/names').then(setChoices, () => undefined); // the field still takes any selector by hand
  }, []);
  useEffect(refreshChoices, [refreshChoices]);
  // Cloud metrics are named by the mappings, not the catalogue: offer them while an account collects, before their first datapoint.
  const mappings = useClouds((s) => s.mappings);
  const allChoices = useMemo(() => withCloudMetrics(choices, accounts.length > 0 ? mappings : null), [choices, accounts.length, mappings]);

  const anomalous = form.type === 'anomalous';
  // The live preview follows the form as the user types, once it parses, debounced.
  // An anomalous rule's verdicts are the detector's, scored once a minute: it says in words what it does instead.
  useEffect(() => {
    if (!draftKey || anomalous) {
      setPreview({ kind: 'idle' });
      return;
    }
    let cancelled = false;
    setPreview((p) => (p.kind === 'ready' ? p : { kind: 'loading' }));
    const run = () =>
      core.call('alerts/preview', JSON.parse(draftKey) as Record<string, unknown>).then(
        (result) => !cancelled && setPreview({ kind: 'ready', result }),
        (err: Error) => !cancelled && setPreview({ kind: 'error', message: err.message }),
      );
    const timer = setTimeout(run, PREVIEW_DEBOUNCE_MS);
    // The data moves while the user thinks: refresh the same draft now and then.
    const refresh = setInterval(run, PREVIEW_REFRESH_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
      clearInterval(refresh);
    };
  }, [draftKey, anomalous]);

  const set = <K extends RuleFormField>(field: K, value: RuleForm[K]) => setForm((f) => ({ ...f, [field]: value }));
  const touch = (field: RuleFormField) => setTouched((s) => ({ ...s, [field]: true }));
  const shown = (field: RuleFormField): RuleFormProblems[RuleFormField] => (submitted || touched[field] ? problems[field] : undefined);

  const save = async () => {
    setSubmitted(true);
    if (!draft) return;
    setSaving(true);
    setSaveError(undefined);
    try {
      if (ruleId) await core.call('alerts/rule-update', { id: ruleId, rule: draft });
      else await core.call('alerts/rule-create', draft);
      onSaved();
    } catch (err) {
      setSaveError((err as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const allChannels = [...new Set([...channels, ...form.channels])].sort();

  return (
    <form
      className="panel rule-editor"
      data-testid="rule-editor"
      aria-labelledby="rule-editor-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2 id="rule-editor-title" className="panel-title">
        {ruleId ? t('alerts.editor.editTitle') : t('alerts.editor.newTitle')}
      </h2>
      <div className="rule-editor-grid">
        {!ruleId && (
          <Field label={t('anomaly.rule.type')} i18n={i18n} wide>
            {(id) => (
              <select id={id} data-testid="rule-type" value={form.type} onChange={(e) => setForm((f) => withRuleType(f, e.target.value as RuleForm['type']))}>
                <option value="threshold">{t('anomaly.rule.type.threshold')}</option>
                <option value="anomalous">{t('anomaly.rule.type.anomalous')}</option>
              </select>
            )}
          </Field>
        )}
        <Field label={t('alerts.editor.name')} problem={shown('name')} i18n={i18n} wide>
          {(id, describedBy) => (
            <input id={id} aria-describedby={describedBy} aria-invalid={!!shown('name')} data-testid="rule-name" value={form.name} onChange={(e) => set('name', e.target.value)} onBlur={() => touch('name')} />
          )}
        </Field>
        <Field label={t('alerts.editor.selector')} hint={anomalous ? t('anomaly.rule.selectorHint') : t('alerts.editor.selectorHint')} problem={shown('selector')} i18n={i18n} wide>
          {(id, describedBy) => (
            <MetricPicker
              id={id}
              describedBy={describedBy}
              invalid={!!shown('selector')}
              value={form.selector}
              choices={allChoices}
              instanceNames={instanceNames}
              i18n={i18n}
              onChange={(text) => setForm((f) => withSelector(f, text, accounts))}
              onFocus={refreshChoices}
              onBlur={() => touch('selector')}
            />
          )}
        </Field>
        {anomalous && (
          <>
            <Field label={t('anomaly.rule.scope')} i18n={i18n}>
              {(id) => (
                <select id={id} data-testid="rule-scope" value={form.scope} onChange={(e) => set('scope', e.target.value as RuleForm['scope'])}>
                  <option value="series">{t('anomaly.rule.scope.series')}</option>
                  <option value="entity">{t('anomaly.rule.scope.entity')}</option>
                </select>
              )}
            </Field>
            <Field label={t('anomaly.rule.direction')} i18n={i18n}>
              {(id) => (
                <select id={id} data-testid="rule-direction" value={form.direction} onChange={(e) => set('direction', e.target.value as RuleForm['direction'])}>
                  {(['both', 'up', 'down'] as const).map((d) => (
                    <option key={d} value={d}>
                      {t(`anomaly.rule.direction.${d}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('anomaly.rule.sensitivity')} i18n={i18n}>
              {(id) => (
                <select id={id} data-testid="rule-sensitivity" value={form.sensitivity} onChange={(e) => set('sensitivity', e.target.value as RuleForm['sensitivity'])}>
                  {(['low', 'medium', 'high'] as const).map((s) => (
                    <option key={s} value={s}>
                      {t(`anomaly.settings.sensitivity.${s}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {form.scope === 'entity' && (
              <Field label={t('anomaly.rule.minRate')} hint={t('anomaly.rule.minRateHint')} problem={shown('minRate')} i18n={i18n}>
                {(id, describedBy) => (
                  <input id={id} inputMode="decimal" aria-describedby={describedBy} aria-invalid={!!shown('minRate')} data-testid="rule-min-rate" value={form.minRate} onChange={(e) => set('minRate', e.target.value)} onBlur={() => touch('minRate')} />
                )}
              </Field>
            )}
          </>
        )}
        {!anomalous && (
          <>
        <Field label={t('alerts.editor.aggregate')} i18n={i18n}>
          {(id) => (
            <select id={id} data-testid="rule-aggregate" value={form.aggregate} onChange={(e) => set('aggregate', e.target.value as RuleForm['aggregate'])}>
              {AGGREGATES.map((a) => (
                <option key={a} value={a}>
                  {t(`alerts.aggregate.${a}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('alerts.editor.window')} hint={windowHint(form, accounts, i18n)} problem={shown('window')} i18n={i18n}>
          {(id, describedBy) => (
            <input
              id={id}
              aria-describedby={describedBy}
              aria-invalid={!!shown('window')}
              data-testid="rule-window"
              value={form.window}
              onChange={(e) => setForm((f) => ({ ...f, window: e.target.value, windowEdited: true }))}
              onBlur={() => touch('window')}
            />
          )}
        </Field>
        <Field label={t('alerts.editor.op')} i18n={i18n}>
          {(id) => (
            <select id={id} data-testid="rule-op" value={form.op} onChange={(e) => set('op', e.target.value as RuleForm['op'])}>
              {OPS.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('alerts.editor.threshold')} hint={thresholdHint(form, i18n)} problem={shown('threshold')} i18n={i18n}>
          {(id, describedBy) => (
            <input
              id={id}
              inputMode="decimal"
              aria-describedby={describedBy}
              aria-invalid={!!shown('threshold')}
              data-testid="rule-threshold"
              value={form.threshold}
              onChange={(e) => set('threshold', e.target.value)}
              onBlur={() => touch('threshold')}
            />
          )}
        </Field>
          </>
        )}
        <Field label={t('alerts.editor.for')} hint={t('alerts.editor.forHint')} problem={shown('for')} i18n={i18n}>
          {(id, describedBy) => (
            <input id={id} aria-describedby={describedBy} aria-invalid={!!shown('for')} data-testid="rule-for" value={form.for} onChange={(e) => set('for', e.target.value)} onBlur={() => touch('for')} />
          )}
        </Field>
        <Field label={t('alerts.editor.keepFiringFor')} hint={t('alerts.editor.keepHint')} problem={shown('keepFiringFor')} i18n={i18n}>
          {(id, describedBy) => (
            <input
              id={id}
              aria-describedby={describedBy}
              aria-invalid={!!shown('keepFiringFor')}
              data-testid="rule-keep"
              value={form.keepFiringFor}
              onChange={(e) => set('keepFiringFor', e.target.value)}
              onBlur={() => touch('keepFiringFor')}
            />
          )}
        </Field>
        <Field label={t('alerts.editor.severity')} i18n={i18n}>
          {(id) => (
            <select id={id} data-testid="rule-severity" value={form.severity} onChange={(e) => set('severity', e.target.value as RuleForm['severity'])}>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {t(`alerts.severity.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('alerts.editor.summary')} hint={t('alerts.editor.summaryHint')} i18n={i18n} wide>
          {(id, describedBy) => <input id={id} aria-describedby={describedBy} data-testid="rule-summary" value={form.summary} onChange={(e) => set('summary', e.target.value)} />}
        </Field>
        <fieldset className="field field--wide" aria-describedby={shown('channels') ? 'rule-channels-problem' : undefined}>
          <legend className="field-label">{t('alerts.editor.channels')}</legend>
          <div className="checks">
            {allChannels.map((c) => (
              <label key={c} className="check">
                <input
                  type="checkbox"
                  checked={form.channels.includes(c)}
                  onChange={(e) => set('channels', e.target.checked ? [...form.channels, c] : form.channels.filter((x) => x !== c))}
                />
                {c === 'desktop' ? t('alerts.channel.desktop') : c}
              </label>
            ))}
          </div>
          {shown('channels') && (
            <p id="rule-channels-problem" className="field-problem">
              {t(shown('channels')!.key)}
            </p>
          )}
        </fieldset>
      </div>

      <div className="rule-preview" data-testid="rule-preview" aria-live="polite" data-state={preview.kind}>
        {anomalous ? <p className="muted small">{t('anomaly.rule.preview')}</p> : <PreviewText preview={preview} form={form} i18n={i18n} instanceNames={instanceNames} />}
      </div>

      {saveError && (
        <p className="form-error" role="alert">
          {t('alerts.editor.saveFailed', { message: saveError })}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn--primary" data-testid="rule-save" disabled={saving}>
          {ruleId ? t('alerts.editor.save') : t('alerts.editor.create')}
        </button>
        <button type="button" className="btn btn--plain" onClick={onCancel}>
          {t('alerts.editor.cancel')}
        </button>
      </div>
    </form>
  );
}

function withCloudMetrics(choices: MetricChoiceView[], mappings: CloudMappingsView | null): MetricChoiceView[] {
  if (!mappings) return choices;
  const known = new Set(choices.map((c) => c.name));
  const extra: MetricChoiceView[] = [];
  for (const product of mappings.products) {
    for (const m of product.metrics) {
      if (known.has(m.canonical)) continue;
      known.add(m.canonical);
      extra.push({ name: m.canonical, unit: cloudMetricUnit(m.canonical), help: '', series: 0, lastT: null });
    }
  }
  return extra.length ? [...choices, ...extra.sort((a, b) => a.name.localeCompare(b.name))] : choices;
}

/** The unit the threshold is typed in, and what the text typed so far means in it. */
function thresholdHint(form: RuleForm, i18n: I18n): string {
  const { t, locale } = i18n;
  const unit = ruleUnit(form.selector);
  const how = t(`alerts.threshold.hint.${unit ?? 'plain'}` as MessageKey);
  const read = parseThreshold(form.threshold, unit);
  return read.ok ? `${how} ${t('alerts.threshold.means', { value: formatThreshold(ruleMetric(form.selector), read.value, locale) })}` : how;
}

/** For a cloud metric: why the window is as long as it is, and a warning when it is shorter than the data's lag. */
function windowHint(form: RuleForm, accounts: Parameters<typeof suggestedWindowMs>[1], i18n: I18n): string {
  const { t, locale } = i18n;
  const suggested = suggestedWindowMs(form.selector, accounts);
  if (suggested === undefined) return t('alerts.editor.durationHint');
  const lag = formatDuration(suggested / 1000, locale);
  const written = parseDuration(form.window.trim());
  if (written.ok && written.ms < suggested) return t('alerts.editor.cloudWindowShort', { window: lag, text: formatDurationText(suggested) });
  return t('alerts.editor.cloudWindow', { window: lag });
}

function instanceName(labels: Record<string, string>, names: ReadonlyMap<string, string>): string | undefined {
  return labels.account !== undefined && labels.instance !== undefined ? names.get(`${labels.account}/${labels.instance}`) : undefined;
}

function PreviewText({ preview, form, i18n, instanceNames }: { preview: PreviewState; form: RuleForm; i18n: I18n; instanceNames: ReadonlyMap<string, string> }) {
  const { t, locale } = i18n;
  if (preview.kind === 'idle') return <span className="muted">{t('alerts.preview.idle')}</span>;
  if (preview.kind === 'loading') return <span className="muted">{t('alerts.preview.loading')}</span>;
  if (preview.kind === 'error') return <span className="field-problem">{t('alerts.preview.error', { message: preview.message })}</span>;
  const r = preview.result;
  const metric = form.selector.trim().split('{')[0]!.trim();
  let headline: string;
  if (r.total === 0) headline = t('alerts.preview.noSeries');
  else if (r.wouldFire > 0) headline = r.wouldFire === 1 ? t('alerts.preview.wouldFireOne') : t('alerts.preview.wouldFire', { count: r.wouldFire });
  else headline = t('alerts.preview.wouldNotFire', { total: r.total });
  return (
    <>
      <strong data-testid="rule-preview-headline" data-would-fire={r.wouldFire}>
        {headline}
      </strong>
      {r.noData > 0 && <span className="muted"> · {t('alerts.preview.noData', { count: r.noData })}</span>}
      {r.series.length > 0 && (
        <ul className="preview-series">
          {r.series.slice(0, 5).map((s) => (
            <li key={JSON.stringify(s.labels)} data-met={String(s.met)}>
              <span className="mono">{labelText(s.labels)}</span>
              {instanceName(s.labels, instanceNames) && <strong className="preview-name"> {instanceName(s.labels, instanceNames)}</strong>}{' '}
              <span>{s.value === null ? t('alerts.value.noData') : formatMetricValue(metric, s.value, locale)}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function labelText(labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`);
  return parts.length ? `{${parts.join(', ')}}` : '{}';
}

function Field({
  label,
  hint,
  problem,
  i18n,
  wide,
  children,
}: {
  label: string;
  hint?: string;
  problem?: { key: Parameters<I18n['t']>[0]; detail?: string };
  i18n: I18n;
  wide?: boolean;
  children: (id: string, describedBy: string | undefined) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const problemId = `${id}-problem`;
  const describedBy = [hint ? hintId : '', problem ? problemId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={wide ? 'field field--wide' : 'field'}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children(id, describedBy)}
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {problem && (
        <p id={problemId} className="field-problem" data-testid="field-problem">
          {i18n.t(problem.key)}
          {problem.detail ? ` (${problem.detail})` : ''}
        </p>
      )}
    </div>
  );
}

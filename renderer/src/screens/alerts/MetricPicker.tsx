// The rule editor's selector field with autocomplete: metric names from the
// catalogue and the store's series index (with units and how many series
// carry each), then, once a name is typed, its series by label value. A
// combobox in the WAI-ARIA sense: arrows move, Enter picks, Escape closes.
import { useEffect, useMemo, useState } from 'react';
import type { MetricChoiceView } from '../../../../main/common/contract';
import { formatNumber } from '../../../../main/common/format';
import { core } from '../../coreClient';
import type { MessageKey } from '../../i18n/catalogue';
import type { I18n } from '../../i18n/useI18n';
import { metricSuggestions, type MetricSuggestion } from './metricSuggestions';
import { ruleMetric } from './ruleForm';

export function MetricPicker({
  id,
  describedBy,
  invalid,
  value,
  choices,
  instanceNames,
  i18n,
  onChange,
  onFocus,
  onBlur,
}: {
  id: string;
  describedBy: string | undefined;
  invalid: boolean;
  value: string;
  choices: readonly MetricChoiceView[];
  instanceNames: ReadonlyMap<string, string>;
  i18n: I18n;
  onChange: (text: string) => void;
  onFocus: () => void;
  onBlur: () => void;
}) {
  const { t, locale } = i18n;
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const metric = ruleMetric(value);
  const known = choices.some((c) => c.name === metric);
  const [labels, setLabels] = useState<{ metric: string; values: Record<string, string[]> }>();

  // The label values of the metric being written, once its name is one the console knows.
  useEffect(() => {
    if (!known || labels?.metric === metric) return;
    let cancelled = false;
    core.call('series/labels', { name: metric }).then(
      (values) => !cancelled && setLabels({ metric, values }),
      () => !cancelled && setLabels({ metric, values: {} }),
    );
    return () => {
      cancelled = true;
    };
  }, [known, metric, labels?.metric]);

  const suggestions = useMemo(
    () => metricSuggestions(value, choices, labels?.metric === metric ? labels.values : undefined, instanceNames),
    [value, choices, labels, metric, instanceNames],
  );
  const shown = open && suggestions.length > 0 && !(suggestions.length === 1 && suggestions[0]!.text === value);
  const listId = `${id}-list`;
  const pick = (s: MetricSuggestion) => {
    onChange(s.text);
    setActive(0);
    // A picked name goes on to its series; a picked series is complete.
    setOpen(s.label === undefined);
  };

  return (
    <div className="combobox">
      <input
        id={id}
        role="combobox"
        aria-expanded={shown}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={shown ? `${listId}-${active}` : undefined}
        aria-describedby={describedBy}
        aria-invalid={invalid}
        data-testid="rule-selector"
        className="mono"
        spellCheck={false}
        autoComplete="off"
        placeholder='host:cpu_usage:ratio{host="local"}'
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => {
          setOpen(true);
          onFocus();
        }}
        onBlur={() => {
          setOpen(false);
          onBlur();
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            setOpen(true);
            if (suggestions.length) setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
          } else if (e.key === 'Enter' && shown) {
            e.preventDefault();
            pick(suggestions[active] ?? suggestions[0]!);
          } else if (e.key === 'Escape' && shown) {
            e.preventDefault();
            e.stopPropagation();
            setOpen(false);
          }
        }}
      />
      {shown && (
        <ul id={listId} role="listbox" className="combobox-list" data-testid="metric-suggestions" aria-label={t('alerts.picker.label')}>
          {suggestions.map((s, i) => (
            <li
              key={s.text}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'combobox-option combobox-option--active' : 'combobox-option'}
              data-testid="metric-suggestion"
              data-value={s.text}
              // mousedown, so the input's blur does not close the list first
              onMouseDown={(e) => {
                e.preventDefault();
                pick(s);
              }}
              onMouseEnter={() => setActive(i)}
            >
              {s.label ? (
                <span className="mono">
                  {s.label.name}=&quot;{s.label.value}&quot;{s.label.display && <span className="muted"> · {s.label.display}</span>}
                </span>
              ) : (
                <>
                  <span className="mono combobox-name">{s.metric.name}</span>
                  <span className="badge badge--unit">{t(`alerts.unit.${s.metric.unit}` as MessageKey)}</span>
                  <span className="muted small">
                    {s.metric.series > 0 ? t('alerts.picker.series', { count: formatNumber(s.metric.series, locale, 0) }) : t('alerts.picker.noSeries')}
                  </span>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

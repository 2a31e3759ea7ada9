// What the rule editor's metric picker offers as the selector is typed, pure:
// metric names (what the store holds first, then the catalogue's) while the
// name is being written, then the label values of that metric's series as
// `name{label="value"}` completions once the name is known. Cloud instances
// carry their display name beside the id the selector needs.
import type { MetricChoiceView } from '../../../../main/common/contract';
import { escapeLabelValue } from '../../../../main/common/series';
import { fuzzyFilter } from '../../components/fuzzy';

export interface MetricSuggestion {
  /** The selector text that picking this suggestion puts in the field. */
  readonly text: string;
  readonly metric: MetricChoiceView;
  /** Set for a label-value completion. */
  readonly label?: { readonly name: string; readonly value: string; readonly display?: string };
}

/** Labels that say which thing a series is about, offered first. */
const LABEL_ORDER = ['host', 'instance', 'container', 'account', 'cloud', 'region', 'mountpoint', 'device', 'namespace', 'pod', 'product'];

export function metricSuggestions(
  input: string,
  choices: readonly MetricChoiceView[],
  labelValues: Readonly<Record<string, readonly string[]>> | undefined,
  /** Display names by `account/instance id`, for cloud instances. */
  instanceNames: ReadonlyMap<string, string> = new Map(),
  limit = 20,
): MetricSuggestion[] {
  const brace = input.indexOf('{');
  const name = (brace < 0 ? input : input.slice(0, brace)).trim();
  const metric = choices.find((c) => c.name === name);
  if (brace < 0 && !metric) return fuzzyFilter(choices, name, (c) => c.name, limit).map((c) => ({ text: c.name, metric: c }));
  if (!metric || !labelValues) return metric && brace < 0 ? [{ text: metric.name, metric }] : [];

  // Complete the matcher being written: everything up to the last `{` or `,` stays.
  const body = brace < 0 ? '' : input.slice(brace + 1).replace(/\}\s*$/, '');
  const cut = Math.max(body.lastIndexOf(','), -1);
  const kept = cut < 0 ? '' : body.slice(0, cut + 1);
  const partial = body.slice(cut + 1).trim();
  const already = new Set([...kept.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=|!=|=~|!~)/g)].map((m) => m[1]!));
  const labels = Object.keys(labelValues)
    .filter((l) => !already.has(l))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const account = /account\s*=\s*"([^"]*)"/.exec(kept)?.[1];
  const options: MetricSuggestion[] = [];
  for (const label of labels) {
    for (const value of labelValues[label] ?? []) {
      const display = label === 'instance' ? instanceDisplay(instanceNames, value, account) : undefined;
      options.push({ text: `${name}{${kept}${label}="${escapeLabelValue(value)}"}`, metric, label: { name: label, value, ...(display ? { display } : {}) } });
    }
  }
  // Nothing typed after the brace: a few values of every label, taken in turn, so a label with
  // hundreds of values (instance) does not hide one with a handful (account, region).
  const room = brace < 0 ? limit - 1 : limit; // the metric itself leads the list until a brace is typed
  const matched = partial ? fuzzyFilter(options, partial, (o) => `${o.label!.name}="${o.label!.value}" ${o.label!.display ?? ''}`, room) : roundRobin(options, room);
  return brace < 0 ? [{ text: metric.name, metric }, ...matched] : matched;
}

function roundRobin(options: readonly MetricSuggestion[], limit: number): MetricSuggestion[] {
  const byLabel = new Map<string, MetricSuggestion[]>();
  for (const o of options) {
    const list = byLabel.get(o.label!.name) ?? [];
    list.push(o);
    byLabel.set(o.label!.name, list);
  }
  const lists = [...byLabel.values()];
  const out: MetricSuggestion[] = [];
  for (let i = 0; out.length < limit && lists.some((l) => i < l.length); i++) {
    for (const l of lists) if (i < l.length && out.length < limit) out.push(l[i]!);
  }
  // Grouped by label again, in the labels' order, for reading.
  const order = new Map(lists.map((l, i) => [l[0]!.label!.name, i]));
  return out.sort((a, b) => order.get(a.label!.name)! - order.get(b.label!.name)!);
}

function rank(label: string): number {
  const i = LABEL_ORDER.indexOf(label);
  return i < 0 ? LABEL_ORDER.length : i;
}

function instanceDisplay(names: ReadonlyMap<string, string>, id: string, account: string | undefined): string | undefined {
  if (account !== undefined) return names.get(`${account}/${id}`);
  for (const [key, name] of names) if (key.endsWith(`/${id}`)) return name;
  return undefined;
}

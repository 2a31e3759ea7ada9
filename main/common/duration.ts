// Durations as people write them in the provisioning file: `5s`, `2m`, `48h`,
// `30d`, `1h30m`, `1.5s`, `500ms`. The units follow Prometheus' duration
// syntax (ms, s, m, h, d, w; no months or years, whose length varies), with
// decimals allowed per part the way Go's time.ParseDuration allows them.

const UNIT_MS = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;

type DurationUnit = keyof typeof UNIT_MS;

export type DurationParse = { ok: true; ms: number } | { ok: false; error: string };

const PART = /(\d+(?:\.\d+)?)([a-zA-Zµ]*)/y;

/** Parses `1h30m`-style text into milliseconds; the error says what was wrong and how to write it. */
export function parseDuration(text: string): DurationParse {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: 'empty duration; write a number with a unit, like 5s, 2m, 48h or 30d' };
  if (trimmed.startsWith('-')) return { ok: false, error: `negative duration \`${trimmed}\` is not allowed` };

  let total = 0;
  let offset = 0;
  const seenUnits = new Set<string>();
  while (offset < trimmed.length) {
    PART.lastIndex = offset;
    const match = PART.exec(trimmed);
    if (!match || match[0] === '') {
      return { ok: false, error: `cannot read \`${trimmed}\` as a duration; write a number with a unit, like 5s, 2m, 48h or 30d` };
    }
    const [, amountText = '', unitText = ''] = match;
    if (unitText === '' && PART.lastIndex < trimmed.length) {
      return { ok: false, error: `cannot read \`${trimmed}\` as a duration; write a number and a unit with no space, like 5s, 2m, 48h or 30d` };
    }
    if (unitText === '') {
      return { ok: false, error: `\`${trimmed}\` has no unit; write it like ${amountText}s, ${amountText}m, ${amountText}h or ${amountText}d` };
    }
    if (!isDurationUnit(unitText)) {
      return { ok: false, error: `unknown unit \`${unitText}\` in \`${trimmed}\`; use ms, s, m, h, d or w` };
    }
    if (seenUnits.has(unitText)) return { ok: false, error: `unit \`${unitText}\` appears twice in \`${trimmed}\`` };
    seenUnits.add(unitText);
    total += Number(amountText) * UNIT_MS[unitText];
    offset = PART.lastIndex;
  }
  if (!Number.isFinite(total)) return { ok: false, error: `duration \`${trimmed}\` is too large` };
  return { ok: true, ms: total };
}

function isDurationUnit(unit: string): unit is DurationUnit {
  return Object.hasOwn(UNIT_MS, unit);
}

/** An exact way to write `ms` for messages ("at most 30d"), e.g. 90_000 → `1m30s`; weeks are left out because `400d` reads better than `57w1d`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit];
    const count = unit === 'ms' ? rest : Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${Number(count.toFixed(3))}${unit}`);
      rest -= count * size;
    }
  }
  return parts.join('');
}

// Field checks of the Settings screen, pure so they are tested without a DOM.
// Bounds are the contract's, so the screen refuses exactly what the core would;
// each failure is a message key, said in the user's language.
import { ExportToken, Retention, Settings } from '../../../../main/common/contract';
import { isAllInterfaces, parseListenAddress, type ListenAddressProblem } from '../../../../main/common/listenAddress';
import type { MessageKey } from '../../i18n/catalogue';

export type FieldCheck = { ok: true; value: number } | { ok: false; message: MessageKey; params?: Record<string, number> };

function bounds(schema: { minValue: number | null; maxValue: number | null }): { min: number; max: number } {
  return { min: schema.minValue ?? 0, max: schema.maxValue ?? Number.MAX_SAFE_INTEGER };
}

function checkNumber(text: string, min: number, max: number): FieldCheck {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: 'settings.error.required' };
  // Number('') is 0 and Number('1e3') is 1000: accept plain decimals only.
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return { ok: false, message: 'settings.error.notNumber' };
  const value = Number(trimmed);
  if (value < min || value > max) return { ok: false, message: 'settings.error.range', params: { min, max } };
  return { ok: true, value };
}

/** The poll interval is edited in seconds; the contract holds milliseconds. */
export function checkPollSeconds(text: string): FieldCheck {
  const { min, max } = bounds(Settings.shape.pollIntervalMs);
  const checked = checkNumber(text, min / 1000, max / 1000);
  return checked.ok ? { ok: true, value: Math.round(checked.value * 1000) } : checked;
}

export type RetentionField = keyof Retention;

export function checkRetention(field: RetentionField, text: string): FieldCheck {
  const { min, max } = bounds(Retention.shape[field]);
  return checkNumber(text, min, max);
}

const LISTEN_MESSAGES: Record<ListenAddressProblem, MessageKey> = {
  format: 'settings.error.listenFormat',
  port: 'settings.error.listenPort',
  host: 'settings.error.listenHost',
};

export function checkListen(text: string): { ok: true; allInterfaces: boolean } | { ok: false; message: MessageKey } {
  const parsed = parseListenAddress(text);
  if (!parsed.ok) return { ok: false, message: LISTEN_MESSAGES[parsed.problem] };
  return { ok: true, allInterfaces: isAllInterfaces(parsed.address.host) };
}

/** An empty token field means "leave the token as it is". */
export function checkToken(text: string): { ok: true } | { ok: false; message: MessageKey } {
  if (text === '') return { ok: true };
  if (text.length < 16) return { ok: false, message: 'settings.error.tokenShort' };
  return ExportToken.safeParse(text).success ? { ok: true } : { ok: false, message: 'settings.error.tokenChars' };
}

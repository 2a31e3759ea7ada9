// What the checks screen and the overview card say about a check, pure: the
// state from each vantage point and of the check as a whole, and the days
// its certificate has left.
import { CERT_WARN_DAYS_DEFAULT, CONSOLE_VANTAGE, type CheckReason, type CheckResult, type CheckView } from '../../../../main/common/checks';

export type VantageState = 'up' | 'down' | 'pending' | 'paused';

/** Under this many days a certificate is shown as a warning: the check's own cert_warn_days, as the built-in "certificate expires soon" rule uses it. */
export function certWarnDays(check: CheckView): number {
  const d = check.draft as { certWarnDays?: unknown } | null | undefined;
  return typeof d?.certWarnDays === 'number' ? d.certWarnDays : CERT_WARN_DAYS_DEFAULT;
}

/** The catalogue key for a result's reason; a result from an older core without one shows its English detail. */
export function reasonKey(result: CheckResult): `checks.reason.${CheckReason}` | undefined {
  return result.reason ? `checks.reason.${result.reason}` : undefined;
}

export interface VantageRow {
  vantage: string;
  state: VantageState;
  result?: CheckResult;
}

/** One row per vantage point the check names, in its order, with the latest result from there. */
export function vantageRows(check: CheckView): VantageRow[] {
  return check.vantages.map((vantage) => {
    const result = check.results.find((r) => r.vantage === vantage);
    const state: VantageState = !check.enabled ? 'paused' : !result ? 'pending' : result.up ? 'up' : 'down';
    return { vantage, state, ...(result ? { result } : {}) };
  });
}

/** Down when any vantage point sees it down; up when all see it up. */
export function checkState(check: CheckView): VantageState {
  if (!check.enabled) return 'paused';
  const states = vantageRows(check).map((r) => r.state);
  if (states.includes('down')) return 'down';
  if (states.length > 0 && states.every((s) => s === 'up')) return 'up';
  return 'pending';
}

/** Whole days until the certificate's notAfter (negative once it expired). */
export function certDaysLeft(result: CheckResult | undefined, now: number): number | undefined {
  if (result?.certExpiry === undefined) return undefined;
  return Math.floor((result.certExpiry * 1000 - now) / 86_400_000);
}

/** When the check last ran from any vantage point. */
export function lastRun(check: CheckView): number | undefined {
  return check.results.length === 0 ? undefined : Math.max(...check.results.map((r) => r.at));
}

/** Checks with a problem first, then by name. */
export function sortChecks(checks: readonly CheckView[]): CheckView[] {
  const rank: Record<VantageState, number> = { down: 0, pending: 1, up: 2, paused: 3 };
  return [...checks].sort((a, b) => rank[checkState(a)] - rank[checkState(b)] || a.name.localeCompare(b.name));
}

export const isConsoleVantage = (v: string) => v === CONSOLE_VANTAGE;

// The add/edit check form, pure: its fields as text, and the draft the
// contract takes, checked with the core's own schema (main/common/checks.ts)
// so the form and the provisioning file accept the same checks. Each schema
// problem is put on the field that shows it.
import { CERT_WARN_DAYS_DEFAULT, CHECK_INTERVAL_DEFAULT_MS, CHECK_TIMEOUT_DEFAULT_MS, CONSOLE_VANTAGE, CheckDraft, isSecretHeader, MAX_HEADERS, type CheckDraftInput, type CheckKind, type CheckView } from '../../../../main/common/checks';

export interface CheckFormState {
  kind: CheckKind;
  name: string;
  /** http: the URL; tcp and tls: host:port; ping: a host. */
  target: string;
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'OPTIONS';
  /** Comma- or space-separated status codes; empty: any 2xx. */
  expectStatus: string;
  bodyMatchType: 'substring' | 'regex';
  bodyMatch: string;
  followRedirects: boolean;
  /** Request header rows; a secret-looking header's value is write-only: `secretSet` says one is stored, an empty value keeps it. */
  headers: { name: string; value: string; secretSet: boolean }[];
  authType: 'none' | 'basic' | 'bearer';
  authUsername: string;
  /** The password or token; write-only, empty keeps the stored one (`authSecretSet`). */
  authSecret: string;
  authSecretSet: boolean;
  certWarnDays: string;
  banner: string;
  serverName: string;
  vantages: string[];
  intervalSeconds: string;
  timeoutSeconds: string;
  enabled: boolean;
}

export type CheckFormField = 'name' | 'target' | 'expectStatus' | 'bodyMatch' | 'headers' | 'auth' | 'certWarnDays' | 'banner' | 'serverName' | 'vantages' | 'intervalSeconds' | 'timeoutSeconds';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS'] as const;

export function emptyCheckForm(kind: CheckKind = 'http'): CheckFormState {
  return {
    kind,
    name: '',
    target: '',
    method: 'GET',
    expectStatus: '',
    bodyMatchType: 'substring',
    bodyMatch: '',
    followRedirects: true,
    headers: [],
    authType: 'none',
    authUsername: '',
    authSecret: '',
    authSecretSet: false,
    certWarnDays: String(CERT_WARN_DAYS_DEFAULT),
    banner: '',
    serverName: '',
    vantages: [CONSOLE_VANTAGE],
    intervalSeconds: String(CHECK_INTERVAL_DEFAULT_MS / 1000),
    timeoutSeconds: String(CHECK_TIMEOUT_DEFAULT_MS / 1000),
    enabled: true,
  };
}

/** The form for editing a check: from the draft the core keeps (the view's fields when it does not read as one). */
export function checkFormFromView(v: CheckView): CheckFormState {
  const parsed = CheckDraft.safeParse(v.draft);
  const form = emptyCheckForm(v.kind);
  form.name = v.name;
  form.target = v.target;
  form.vantages = [...v.vantages];
  form.intervalSeconds = String(v.intervalMs / 1000);
  form.timeoutSeconds = String(v.timeoutMs / 1000);
  form.enabled = v.enabled;
  if (!parsed.success) return form;
  const d = parsed.data;
  form.certWarnDays = String(d.certWarnDays);
  if (d.auth && d.auth.type !== 'none') {
    form.authType = d.auth.type;
    form.authUsername = d.auth.type === 'basic' ? d.auth.username : '';
    form.authSecretSet = v.secrets.auth;
  }
  if (d.http) {
    form.headers = Object.entries(d.http.headers).map(([name, value]) => ({ name, value: isSecretHeader(name) ? '' : value, secretSet: isSecretHeader(name) && v.secrets.headers.includes(name) }));
    form.method = d.http.method;
    form.expectStatus = d.http.expectStatus.join(', ');
    form.followRedirects = d.http.followRedirects;
    if (d.http.bodyMatch) {
      form.bodyMatchType = d.http.bodyMatch.type;
      form.bodyMatch = d.http.bodyMatch.pattern;
    }
  }
  form.banner = d.banner ?? '';
  form.serverName = d.serverName ?? '';
  return form;
}

export type CheckFormCheck = { ok: true; draft: CheckDraft } | { ok: false; problems: Partial<Record<CheckFormField, string>> };

/** The field a schema problem belongs to: `http.url` is the target the form shows, `intervalMs` the seconds field. */
function fieldOf(path: readonly PropertyKey[]): CheckFormField {
  const [head, sub] = path.map(String);
  if (head === 'http') return sub === 'expectStatus' ? 'expectStatus' : sub === 'bodyMatch' ? 'bodyMatch' : sub === 'headers' ? 'headers' : 'target';
  if (head === 'auth') return 'auth';
  if (head === 'certWarnDays') return 'certWarnDays';
  if (head === 'intervalMs') return 'intervalSeconds';
  if (head === 'timeoutMs') return 'timeoutSeconds';
  if (head === 'kind') return 'target';
  return (['name', 'target', 'banner', 'serverName', 'vantages'] as const).find((f) => f === head) ?? 'name';
}

const seconds = (text: string): number | undefined => (text.trim() === '' ? undefined : Math.round(Number(text.trim().replace(',', '.')) * 1000));

export function checkCheckForm(form: CheckFormState): CheckFormCheck {
  const problems: Partial<Record<CheckFormField, string>> = {};
  const target = form.target.trim();
  const statusWords = form.expectStatus.split(/[\s,，]+/).filter(Boolean);
  const statuses = statusWords.map(Number);
  if (statuses.some((s) => !Number.isInteger(s))) problems.expectStatus = 'give status codes such as 200, 204';
  const interval = seconds(form.intervalSeconds);
  const timeout = seconds(form.timeoutSeconds);
  if (interval !== undefined && !Number.isFinite(interval)) problems.intervalSeconds = 'give a number of seconds';
  if (timeout !== undefined && !Number.isFinite(timeout)) problems.timeoutSeconds = 'give a number of seconds';
  const rows = form.headers.filter((h) => h.name.trim() !== '' || h.value !== '');
  const headers: Record<string, string> = {};
  for (const h of rows) {
    const name = h.name.trim();
    if (name in headers || (isSecretHeader(name) && h.value === '' && !h.secretSet)) problems.headers = 'check the headers';
    headers[name] = h.value;
  }
  if (rows.length > MAX_HEADERS) problems.headers = `at most ${MAX_HEADERS} headers`;
  if (form.kind === 'http' && form.authType !== 'none' && form.authSecret === '' && !form.authSecretSet) problems.auth = 'enter the password or token';
  const warnText = form.certWarnDays.trim();
  const warnDays = warnText === '' ? undefined : Number(warnText);
  const input: CheckDraftInput = {
    name: form.name.trim(),
    kind: form.kind,
    target,
    vantages: form.vantages,
    enabled: form.enabled,
    ...(interval !== undefined && Number.isFinite(interval) ? { intervalMs: interval } : {}),
    ...(timeout !== undefined && Number.isFinite(timeout) ? { timeoutMs: timeout } : {}),
    ...(warnDays !== undefined ? { certWarnDays: warnDays } : {}),
    ...(form.kind === 'http'
      ? {
          http: {
            url: target,
            method: form.method,
            expectStatus: problems.expectStatus ? [] : statuses,
            followRedirects: form.followRedirects,
            headers,
            ...(form.bodyMatch !== '' ? { bodyMatch: { type: form.bodyMatchType, pattern: form.bodyMatch } } : {}),
          },
        }
      : {}),
    ...(form.kind === 'http' && form.authType === 'basic' ? { auth: { type: 'basic' as const, username: form.authUsername.trim(), ...(form.authSecret !== '' ? { password: form.authSecret } : {}) } } : {}),
    ...(form.kind === 'http' && form.authType === 'bearer' ? { auth: { type: 'bearer' as const, ...(form.authSecret !== '' ? { token: form.authSecret } : {}) } } : {}),
    ...(form.kind === 'tcp' && form.banner !== '' ? { banner: form.banner } : {}),
    ...(form.kind === 'tls' && form.serverName.trim() !== '' ? { serverName: form.serverName.trim() } : {}),
  };
  const parsed = CheckDraft.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems[fieldOf(issue.path)] ??= issue.message;
  }
  if (Object.keys(problems).length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, draft: parsed.data };
}

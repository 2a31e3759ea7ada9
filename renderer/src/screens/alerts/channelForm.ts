// The add/edit channel form, pure: its fields as text, and the draft the
// contract takes (checked with the schema the core uses), with the field
// that is wrong. The URL and signing secret are write-only: an edit starts
// them empty, and empty keeps what is stored. An Alertmanager channel has
// its URLs (one per line, not secret), a resend interval and its auth
// (the token or password write-only too).
import { CHANNEL_TYPE_FIELDS, ChannelDraft, type AddableChannelType, type ChannelAuthKind, type ChannelTestResult, type ChannelView } from '../../../../main/common/alertChannels';
import { formatDuration, parseDuration } from '../../../../main/common/duration';
import type { Translate } from '../../i18n/catalogue';

export interface ChannelFormState {
  type: AddableChannelType;
  name: string;
  url: string;
  secret: string;
  /** Editing a DingTalk channel whose signing secret is set: take it away. */
  removeSecret: boolean;
  /** Kept from the channel being edited (not on the form). */
  timeoutMs?: number;
  /** Alertmanager: base URLs, one per line. */
  urls: string;
  /** Alertmanager: resend interval as a duration (1m); empty is the default. */
  resend: string;
  auth: ChannelAuthKind;
  username: string;
  /** The bearer token or basic auth password; write-only. */
  authSecret: string;
}

export type ChannelFormField = 'name' | 'url' | 'secret' | 'urls' | 'resend' | 'username' | 'authSecret';

export function emptyChannelForm(type: AddableChannelType = 'webhook'): ChannelFormState {
  return { type, name: '', url: '', secret: '', removeSecret: false, urls: '', resend: '', auth: 'none', username: '', authSecret: '' };
}

/** The URLs a text area holds: one per line (commas and spaces also separate), blanks left out. */
export function splitUrls(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((u) => u.trim())
    .filter((u) => u !== '');
}

export function channelFormFromView(view: ChannelView): ChannelFormState {
  const am = view.alertmanager ?? null;
  return {
    // The desktop channel is built in and not edited on this form.
    type: view.type === 'desktop' ? 'webhook' : view.type,
    name: view.name,
    url: '',
    secret: '',
    removeSecret: false,
    ...(view.timeoutMs !== null ? { timeoutMs: view.timeoutMs } : {}),
    urls: am ? am.urls.join('\n') : '',
    resend: am?.resendMs ? formatDuration(am.resendMs) : '',
    auth: am?.auth.kind ?? 'none',
    username: am?.auth.username ?? '',
    authSecret: '',
  };
}

export type ChannelFormCheck = { ok: true; draft: ChannelDraft } | { ok: false; problems: ChannelFormField[] };

/**
 * `editing`: the URL (or an Alertmanager's token / password) may stay empty (the stored one is kept);
 * `authSet`: the channel being edited has a token or password stored for the auth it has now.
 */
export function checkChannelForm(form: ChannelFormState, editing: boolean, authSet = false): ChannelFormCheck {
  if (form.type === 'alertmanager') return checkAlertmanagerForm(form, editing && authSet);
  const takesSecret = CHANNEL_TYPE_FIELDS[form.type].secret !== 'none';
  const input = {
    name: form.name,
    type: form.type,
    ...(form.url.trim() ? { url: form.url.trim() } : {}),
    ...(takesSecret && form.secret ? { secret: form.secret } : takesSecret && form.removeSecret ? { secret: null } : {}),
    ...(form.timeoutMs !== undefined ? { timeoutMs: form.timeoutMs } : {}),
  };
  const problems = new Set<ChannelFormField>();
  const parsed = ChannelDraft.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if (field === 'name' || field === 'url' || field === 'secret') problems.add(field);
    }
  }
  if (!editing && !form.url.trim()) problems.add('url');
  if (problems.size > 0 || !parsed.success) return { ok: false, problems: [...problems] };
  return { ok: true, draft: parsed.data };
}

/**
 * A test's outcome in the UI's language: the core's problem worded here, with
 * what the receiver said (a robot's errmsg, a body) as it came; the core's
 * own text only for a failure it could not name.
 */
export function channelTestText(result: ChannelTestResult, t: Translate): string {
  if (result.ok) return t('alerts.channels.test.ok');
  const p = result.problem;
  const service = (name: string) => {
    const type = name.toLowerCase();
    return type === 'dingtalk' || type === 'wecom' || type === 'slack' ? t(`alerts.channelType.${type}`) : name;
  };
  let message: string;
  switch (p?.kind) {
    case 'refused':
      message = t('alerts.channels.problem.refused', { service: service(p.service), code: p.code, message: p.message });
      break;
    case 'notJson':
      message = t('alerts.channels.problem.notJson', { service: service(p.service), body: p.body });
      break;
    case 'http':
      message = t('alerts.channels.problem.http', { status: p.status, body: p.body });
      break;
    case 'timeout':
      message = t('alerts.channels.problem.timeout', { seconds: Math.round(p.ms / 100) / 10 });
      break;
    case 'network':
      message = t('alerts.channels.problem.network', { code: p.code });
      break;
    case 'badUrl':
      message = t('alerts.channels.problem.badUrl');
      break;
    case 'notSet':
      message = t(p.what === 'url' ? 'alerts.channels.problem.urlNotSet' : p.what === 'auth' ? 'alerts.channels.problem.authNotSet' : 'alerts.channels.problem.secretNotSet');
      break;
    default:
      message = result.error ?? '';
  }
  return t('alerts.channels.test.failed', { message });
}

function checkAlertmanagerForm(form: ChannelFormState, secretKept: boolean): ChannelFormCheck {
  const problems = new Set<ChannelFormField>();
  let resendMs: number | undefined;
  if (form.resend.trim() !== '') {
    const d = parseDuration(form.resend);
    if (d.ok) resendMs = d.ms;
    else problems.add('resend');
  }
  const input = {
    name: form.name,
    type: 'alertmanager' as const,
    urls: splitUrls(form.urls),
    ...(resendMs !== undefined ? { resendMs } : {}),
    auth: form.auth,
    ...(form.auth === 'basic' ? { username: form.username } : {}),
    ...(form.auth !== 'none' && form.authSecret ? { authSecret: form.authSecret } : {}),
    ...(form.timeoutMs !== undefined ? { timeoutMs: form.timeoutMs } : {}),
  };
  const parsed = ChannelDraft.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if (field === 'name' || field === 'urls' || field === 'username' || field === 'authSecret') problems.add(field);
      else if (field === 'resendMs') problems.add('resend');
    }
  }
  // A new channel, or a change of auth kind, needs the token or password typed in.
  if (form.auth !== 'none' && !form.authSecret && !secretKept) problems.add('authSecret');
  if (problems.size > 0 || !parsed.success) return { ok: false, problems: [...problems] };
  return { ok: true, draft: parsed.data };
}

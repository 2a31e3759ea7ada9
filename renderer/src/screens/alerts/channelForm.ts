// The add/edit channel form, pure: its fields as text, and the draft the
// contract takes (checked with the schema the core uses), with the field
// that is wrong. The URL and signing secret are write-only: an edit starts
// them empty, and empty keeps what is stored.
import { CHANNEL_TYPE_FIELDS, ChannelDraft, type AddableChannelType, type ChannelTestResult, type ChannelView } from '../../../../main/common/alertChannels';
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
}

export type ChannelFormField = 'name' | 'url' | 'secret';

export function emptyChannelForm(type: AddableChannelType = 'webhook'): ChannelFormState {
  return { type, name: '', url: '', secret: '', removeSecret: false };
}

export function channelFormFromView(view: ChannelView): ChannelFormState {
  return {
    // Desktop and Alertmanager channels are not edited on this form (built in; set in the provisioning file).
    type: view.type === 'desktop' || view.type === 'alertmanager' ? 'webhook' : view.type,
    name: view.name,
    url: '',
    secret: '',
    removeSecret: false,
    ...(view.timeoutMs !== null ? { timeoutMs: view.timeoutMs } : {}),
  };
}

export type ChannelFormCheck = { ok: true; draft: ChannelDraft } | { ok: false; problems: ChannelFormField[] };

/** `editing`: the URL may stay empty (the stored one is kept). */
export function checkChannelForm(form: ChannelFormState, editing: boolean): ChannelFormCheck {
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
      message = t(p.what === 'url' ? 'alerts.channels.problem.urlNotSet' : 'alerts.channels.problem.secretNotSet');
      break;
    default:
      message = result.error ?? '';
  }
  return t('alerts.channels.test.failed', { message });
}

// The add/edit host form as plain data: what the inputs hold (text), the draft
// the core receives, and which field each problem belongs to. Validation is the
// contract's own schema, so the form and the core never disagree.
import { HOST_NAME_MAX, HostDraft, RESERVED_HOST_NAMES, SSH_DEFAULT_INTERVAL_MS, type HostDefinitionView, type HostDraftInput } from '../../../../main/common/sshHosts';

export type AuthChoice = 'key' | 'password' | 'agent';

export interface HostFormState {
  name: string;
  host: string;
  port: string;
  user: string;
  authType: AuthChoice;
  keyFile: string;
  passphrase: string;
  password: string;
  /** Comma-separated: host names or user@host:port. */
  jump: string;
  /** Seconds. */
  interval: string;
  /** Comma-separated. */
  tags: string;
  enabled: boolean;
  /** Empty: the agent looks for the usual sockets. */
  engineSocket: string;
}

export type FormField = 'name' | 'host' | 'port' | 'user' | 'auth' | 'keyFile' | 'passphrase' | 'password' | 'jump' | 'interval' | 'tags' | 'engineSocket';

export function emptyForm(): HostFormState {
  return { name: '', host: '', port: '22', user: '', authType: 'password', keyFile: '~/.ssh/id_ed25519', passphrase: '', password: '', jump: '', interval: String(SSH_DEFAULT_INTERVAL_MS / 1000), tags: '', enabled: true, engineSocket: '' };
}

export function formFromDefinition(d: HostDefinitionView): HostFormState {
  return {
    ...emptyForm(),
    name: d.name,
    host: d.host,
    port: String(d.port),
    user: d.user,
    authType: d.auth.type,
    keyFile: d.auth.type === 'key' ? d.auth.keyFile : emptyForm().keyFile,
    jump: d.jump.join(', '),
    interval: String(d.intervalMs / 1000),
    tags: d.tags.join(', '),
    enabled: d.enabled,
    engineSocket: d.engineSocket ?? '',
  };
}

/**
 * A name for a host from the address being typed, until the user edits the
 * name: the address as it is where a name allows it (`web-1.example.com`,
 * `10.0.0.5`), other characters (an IPv6 address's colons, a stray `user@`)
 * made into "-". Empty when nothing usable is left.
 */
export function nameFromAddress(address: string): string {
  const host = address.trim().replace(/^[^@]*@/, '').replace(/^\[|\]$/g, '');
  const name = host
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, HOST_NAME_MAX)
    .replace(/[-.]+$/, '');
  return RESERVED_HOST_NAMES.includes(name.toLowerCase()) ? '' : name;
}

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Text that is not a number stays text, so the schema reports it as "must be a number". */
const numberOrText = (text: string): number | string => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text);

/**
 * The draft for the core. Empty secret inputs mean "keep the stored one"
 * when editing; when adding, an empty password is left for the schema/core to refuse.
 */
export function draftFromForm(form: HostFormState): HostDraftInput {
  const interval = numberOrText(form.interval);
  const auth: HostDraftInput['auth'] =
    form.authType === 'key'
      ? { type: 'key', keyFile: form.keyFile, ...(form.passphrase ? { passphrase: form.passphrase } : {}) }
      : form.authType === 'password'
        ? { type: 'password', ...(form.password ? { password: form.password } : {}) }
        : { type: 'agent' };
  return {
    name: form.name,
    host: form.host,
    port: numberOrText(form.port) as number,
    user: form.user,
    auth,
    jump: list(form.jump),
    intervalMs: (typeof interval === 'number' ? Math.round(interval * 1000) : interval) as number,
    tags: list(form.tags),
    enabled: form.enabled,
    ...(form.engineSocket.trim() ? { engineSocket: form.engineSocket } : {}),
  };
}

export type FormCheck = { ok: true; draft: HostDraftInput } | { ok: false; fields: FormField[] };

/** Which fields are wrong; a new password host must have its password. */
export function checkForm(form: HostFormState, editing: boolean): FormCheck {
  const draft = draftFromForm(form);
  const parsed = HostDraft.safeParse(draft);
  const fields = new Set<FormField>();
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [first, second] = issue.path;
      if (first === 'intervalMs') fields.add('interval');
      else if (first === 'auth') fields.add(second === 'keyFile' ? 'keyFile' : second === 'password' ? 'password' : second === 'passphrase' ? 'passphrase' : 'auth');
      else if (typeof first === 'string') fields.add(first as FormField);
    }
  }
  if (!editing && form.authType === 'password' && !form.password) fields.add('password');
  return fields.size ? { ok: false, fields: [...fields] } : { ok: true, draft };
}

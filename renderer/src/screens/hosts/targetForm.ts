// The node_exporter target form as plain data: what the inputs hold (text),
// the draft the core receives, and which field each problem belongs to.
// Validation is the contract's own schema, so the form and the core agree.
import { SCRAPE_DEFAULT_INTERVAL_MS, TargetDraft, type TargetDefinitionView, type TargetDraftInput } from '../../../../main/common/promHosts';

export type TargetAuthChoice = 'none' | 'bearer' | 'basic';

export interface TargetFormState {
  name: string;
  nodeExporter: string;
  cadvisor: string;
  authType: TargetAuthChoice;
  username: string;
  /** The token or the password, write-only. */
  secret: string;
  caFile: string;
  /** Seconds. */
  interval: string;
  /** Comma-separated. */
  tags: string;
  enabled: boolean;
}

export type TargetField = 'name' | 'nodeExporter' | 'cadvisor' | 'auth' | 'username' | 'secret' | 'caFile' | 'interval' | 'tags';

export function emptyTargetForm(): TargetFormState {
  return { name: '', nodeExporter: '', cadvisor: '', authType: 'none', username: '', secret: '', caFile: '', interval: String(SCRAPE_DEFAULT_INTERVAL_MS / 1000), tags: '', enabled: true };
}

export function targetFormFromDefinition(d: TargetDefinitionView): TargetFormState {
  return {
    ...emptyTargetForm(),
    name: d.name,
    nodeExporter: d.nodeExporter,
    cadvisor: d.cadvisor ?? '',
    authType: d.auth.type,
    username: d.auth.type === 'basic' ? d.auth.username : '',
    caFile: d.caFile ?? '',
    interval: String(d.intervalMs / 1000),
    tags: d.tags.join(', '),
    enabled: d.enabled,
  };
}

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function targetDraftFromForm(form: TargetFormState): TargetDraftInput {
  const seconds = Number(form.interval);
  const auth: TargetDraftInput['auth'] =
    form.authType === 'bearer'
      ? { type: 'bearer', ...(form.secret ? { token: form.secret } : {}) }
      : form.authType === 'basic'
        ? { type: 'basic', username: form.username, ...(form.secret ? { password: form.secret } : {}) }
        : { type: 'none' };
  return {
    name: form.name,
    nodeExporter: form.nodeExporter,
    ...(form.cadvisor.trim() ? { cadvisor: form.cadvisor } : {}),
    auth,
    ...(form.caFile.trim() ? { caFile: form.caFile } : {}),
    intervalMs: (form.interval.trim() !== '' && Number.isFinite(seconds) ? Math.round(seconds * 1000) : form.interval) as number,
    tags: list(form.tags),
    enabled: form.enabled,
  };
}

export type TargetFormCheck = { ok: true; draft: TargetDraftInput } | { ok: false; fields: TargetField[] };

/** Which fields are wrong; a new target with a login must have its secret. */
export function checkTargetForm(form: TargetFormState, editing: boolean): TargetFormCheck {
  const draft = targetDraftFromForm(form);
  const parsed = TargetDraft.safeParse(draft);
  const fields = new Set<TargetField>();
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [first, second] = issue.path;
      if (first === 'intervalMs') fields.add('interval');
      else if (first === 'auth') fields.add(second === 'username' ? 'username' : second === 'token' || second === 'password' ? 'secret' : 'auth');
      else if (typeof first === 'string') fields.add(first as TargetField);
    }
  }
  if (!editing && form.authType !== 'none' && !form.secret) fields.add('secret');
  return fields.size ? { ok: false, fields: [...fields] } : { ok: true, draft };
}

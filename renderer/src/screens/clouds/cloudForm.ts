// The add/edit account form, pure: its text fields, and the draft the
// contract takes (checked with the same schema the core uses), with the
// problem of each field for the form to show.
import { CloudAccountDraft, type CloudAccountView, type CloudProvider } from '../../../../main/common/clouds';

export interface CloudFormState {
  provider: CloudProvider;
  name: string;
  /** Comma- or space-separated. */
  regions: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** Huawei: project id per region, by region. */
  projectIds: Record<string, string>;
  endpoint: string;
  intervalSeconds: string;
  delaySeconds: string;
  products: string;
  enabled: boolean;
}

export type CloudFormField = 'name' | 'regions' | 'accessKeyId' | 'accessKeySecret' | 'projectIds' | 'endpoint' | 'intervalSeconds' | 'delaySeconds' | 'products';

export function emptyCloudForm(provider: CloudProvider = 'aliyun'): CloudFormState {
  return { provider, name: '', regions: '', accessKeyId: '', accessKeySecret: '', projectIds: {}, endpoint: '', intervalSeconds: '', delaySeconds: '', products: '', enabled: true };
}

export function cloudFormFromView(v: CloudAccountView): CloudFormState {
  return {
    provider: v.provider,
    name: v.name,
    regions: v.regions.join(', '),
    accessKeyId: '',
    accessKeySecret: '',
    projectIds: { ...v.projectIds },
    endpoint: v.endpoint ?? '',
    intervalSeconds: String(v.intervalSeconds),
    delaySeconds: String(v.delaySeconds),
    products: (v.products ?? []).join(', '),
    enabled: v.enabled,
  };
}

export const splitList = (text: string): string[] => text.split(/[\s,，]+/).map((s) => s.trim()).filter(Boolean);

export type CloudFormCheck = { ok: true; draft: CloudAccountDraft } | { ok: false; problems: Partial<Record<CloudFormField, string>> };

/**
 * `editing`: the keys may stay empty (the stored ones are kept). The
 * problems are the schema's own messages, so the form and the provisioning
 * file word a mistake the same way.
 */
export function checkCloudForm(form: CloudFormState, editing: boolean): CloudFormCheck {
  const regions = splitList(form.regions);
  const number = (text: string) => (text.trim() === '' ? undefined : Number(text));
  const input = {
    name: form.name,
    provider: form.provider,
    regions,
    ...(form.accessKeyId.trim() ? { accessKeyId: form.accessKeyId.trim() } : {}),
    ...(form.accessKeySecret ? { accessKeySecret: form.accessKeySecret } : {}),
    ...(form.provider === 'huawei' ? { projectIds: Object.fromEntries(regions.map((r) => [r, (form.projectIds[r] ?? '').trim()]).filter(([, p]) => p !== '')) } : {}),
    ...(form.endpoint.trim() ? { endpoint: form.endpoint.trim() } : {}),
    ...(number(form.intervalSeconds) !== undefined ? { intervalSeconds: number(form.intervalSeconds) } : {}),
    ...(number(form.delaySeconds) !== undefined ? { delaySeconds: number(form.delaySeconds) } : {}),
    ...(splitList(form.products).length ? { products: splitList(form.products) } : {}),
    enabled: form.enabled,
  };
  const problems: Partial<Record<CloudFormField, string>> = {};
  const parsed = CloudAccountDraft.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'name') as CloudFormField;
      problems[field] ??= issue.message;
    }
  }
  if (!editing && !form.accessKeyId.trim()) problems.accessKeyId ??= 'the key id is required';
  if (!editing && !form.accessKeySecret) problems.accessKeySecret ??= 'the secret is required';
  if (Object.keys(problems).length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, draft: parsed.data };
}

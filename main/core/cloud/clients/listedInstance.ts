// What a cloud's own instance list (Alibaba ECS DescribeInstances, Huawei
// ECS ListServersDetails, Tencent CVM DescribeInstances) says about an
// instance beyond its id: the facts operators recognise a machine by. The
// monitoring APIs (CMS, CES) name instances by id only.

export interface ListedInstance {
  readonly id: string;
  readonly name?: string;
  /** The primary private IPv4 address. */
  readonly privateIp?: string;
  /** Instance type / flavor (ecs.g7.large, s6.large.2). */
  readonly instanceType?: string;
  /** The cloud's own lifecycle word (Running, ACTIVE, SHUTOFF…). */
  readonly status?: string;
}

/** Longest name kept; the clouds allow 128 characters, a proxied or private cloud may allow more. */
export const INSTANCE_NAME_MAX = 256;

// C0/C1 controls, and the bidirectional overrides and isolates that can make
// a name display as something else ("Trojan Source"-style spoofing).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A name fit to show: control and direction-override characters removed,
 * whitespace runs folded, trimmed, at most INSTANCE_NAME_MAX code points;
 * undefined when nothing is left (the id is shown instead). CJK and emoji
 * are kept as they are: the UI truncates by width, not here.
 */
export function cleanInstanceName(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const text = raw.replace(/[\t\n\r\f\v]/g, ' ').replace(UNSAFE, '').replace(/\s+/g, ' ').trim();
  if (!text) return undefined;
  const points = [...text];
  return points.length > INSTANCE_NAME_MAX ? `${points.slice(0, INSTANCE_NAME_MAX - 1).join('')}…` : text;
}

/** A short identifier-like fact (IP, type, status): printable ASCII only, bounded; else dropped. */
export function cleanFact(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  return text && text.length <= 64 && /^[\x21-\x7e]+$/.test(text) ? text : undefined;
}

/** A listed instance from raw fields, with every field cleaned; undefined without a usable id. */
export function listedInstance(fields: { id: unknown; name?: unknown; privateIp?: unknown; instanceType?: unknown; status?: unknown }): ListedInstance | undefined {
  const id = cleanFact(fields.id);
  if (!id) return undefined;
  const name = cleanInstanceName(fields.name);
  const privateIp = cleanFact(fields.privateIp);
  const instanceType = cleanFact(fields.instanceType);
  const status = cleanFact(fields.status);
  return { id, ...(name ? { name } : {}), ...(privateIp ? { privateIp } : {}), ...(instanceType ? { instanceType } : {}), ...(status ? { status } : {}) };
}

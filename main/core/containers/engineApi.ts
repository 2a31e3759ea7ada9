// What Docker and Podman say about their containers, parsed from the Engine
// API's JSON (or the CLI's `inspect` / `ps` output, which prints the same
// objects) into ContainerMeta. Pure: every byte from the engine is validated
// here, once; a malformed container is left out and said so, the rest kept.
//
// Shapes: Docker Engine API v1.41 (GET /version, /containers/json,
// /containers/{id}/json — docs.docker.com/engine/api/v1.41/), which Podman's
// compatibility API serves too; `podman inspect` differs in a few names
// (Name without the leading slash, ImageName, State.Status "stopped" /
// "configured"), handled below.
import { z } from 'zod';
import type { ContainerMeta, ContainerState } from '../model/containers.js';

export type EngineName = 'docker' | 'podman';

/** One row of a container list: enough to tell whether the container changed since it was last inspected. */
export interface ListedContainer {
  readonly id: string;
  readonly state: ContainerState;
  /** Creation time as the engine printed it; a re-created container with a reused name gets a new id anyway. */
  readonly created?: string;
}

export interface Parsed<T> {
  readonly value: T;
  readonly problems: string[];
}

const ID = /^[0-9a-f]{64}$/;
const MAX_LABELS = 256;
const MAX_TEXT = 1024;

/** Engine text goes into series labels and the UI: bounded, and without control characters (a newline would break a log line). */
function clean(text: string, max = MAX_TEXT): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, max);
}

const Labels = z.record(z.string(), z.string()).nullable().optional();

function cleanLabels(labels: Record<string, string> | null | undefined, problems: string[], id: string): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = Object.entries(labels ?? {});
  if (entries.length > MAX_LABELS) problems.push(`container ${id.slice(0, 12)}: ${entries.length} labels, kept the first ${MAX_LABELS}`);
  for (const [k, v] of entries.slice(0, MAX_LABELS)) out[clean(k, 256)] = clean(v);
  return out;
}

/**
 * Engine states → ours. Docker: created, restarting, running, removing,
 * paused, exited, dead. Podman adds configured / initialized (made, not
 * started), stopping and stopped (libpod define/containerstate.go).
 */
export function normaliseState(raw: string | undefined): ContainerState {
  switch ((raw ?? '').toLowerCase()) {
    case 'created':
    case 'configured':
    case 'initialized':
      return 'created';
    case 'running':
      return 'running';
    case 'paused':
      return 'paused';
    case 'restarting':
      return 'restarting';
    case 'exited':
    case 'stopped':
    case 'stopping':
      return 'exited';
    case 'dead':
      return 'dead';
    case 'removing':
      return 'removing';
    default:
      return 'unknown';
  }
}

// ------------------------------------------------------------ GET /version

const VersionReply = z.object({
  Version: z.string().optional(),
  ApiVersion: z.string().optional(),
  Components: z.array(z.object({ Name: z.string() }).loose()).nullable().optional(),
}).loose();

/** Podman's compatibility API names itself in Components ("Podman Engine"); Docker's says "Engine". */
export function parseEngineVersion(json: unknown): Parsed<{ engine: EngineName; version?: string }> {
  const r = VersionReply.safeParse(json);
  if (!r.success) return { value: { engine: 'docker' }, problems: ['version: the engine answered something that is not a version object'] };
  const podman = (r.data.Components ?? []).some((c) => /podman/i.test(c.Name));
  return { value: { engine: podman ? 'podman' : 'docker', ...(r.data.Version ? { version: clean(r.data.Version, 64) } : {}) }, problems: [] };
}

// ------------------------------------------------------------ GET /containers/json?all=1

const ListRow = z.object({
  Id: z.string(),
  State: z.string().optional(),
  Created: z.union([z.number(), z.string()]).optional(),
}).loose();

export function parseContainerList(json: unknown): Parsed<ListedContainer[]> {
  if (!Array.isArray(json)) return { value: [], problems: ['containers/json: the engine answered something that is not a list'] };
  const problems: string[] = [];
  const out: ListedContainer[] = [];
  json.forEach((row, i) => {
    const r = ListRow.safeParse(row);
    if (!r.success || !ID.test(r.data.Id)) {
      problems.push(`containers/json: entry ${i + 1} is not a container (no 64-hex Id)`);
      return;
    }
    out.push({ id: r.data.Id, state: normaliseState(r.data.State), ...(r.data.Created !== undefined ? { created: String(r.data.Created) } : {}) });
  });
  return { value: out, problems };
}

/**
 * A state from `ps --format '{{.State}}'`: Docker prints the state word
 * ("running"); Podman 4 prints its status text ("Up 15 seconds ago",
 * "Paused", "Exited (0) 3 seconds ago"); old Docker CLIs without `.State`
 * print "<no value>" (unknown: such rows are inspected).
 */
export function cliState(text: string): ContainerState {
  const word = normaliseState(text.trim());
  if (word !== 'unknown') return word;
  const first = (/^\S+/.exec(text.trim())?.[0] ?? '').toLowerCase();
  if (first === 'up') return /\(paused\)/i.test(text) ? 'paused' : 'running';
  return normaliseState(first);
}

/** `docker ps -a --no-trunc --format '{{.ID}} {{.State}}'` (and podman's): one line per container. */
export function parseCliList(text: string): Parsed<ListedContainer[]> {
  const problems: string[] = [];
  const out: ListedContainer[] = [];
  text.split('\n').forEach((line, i) => {
    const t = line.trim();
    if (t === '') return;
    const space = t.search(/\s/);
    const id = space < 0 ? t : t.slice(0, space);
    if (!ID.test(id)) {
      problems.push(`ps: line ${i + 1} does not start with a container id: "${clean(t, 80)}"`);
      return;
    }
    out.push({ id, state: cliState(space < 0 ? '' : t.slice(space + 1)) });
  });
  return { value: out, problems };
}

// ------------------------------------------------------------ GET /containers/{id}/json, `docker inspect`

const Inspect = z.object({
  Id: z.string(),
  Name: z.string().optional(),
  Image: z.string().optional(),
  ImageName: z.string().optional(),
  Created: z.string().optional(),
  RestartCount: z.number().optional(),
  State: z.object({
    Status: z.string().optional(),
    Pid: z.number().optional(),
    StartedAt: z.string().optional(),
    Restarting: z.boolean().optional(),
    Paused: z.boolean().optional(),
    OOMKilled: z.boolean().optional(),
  }).loose(),
  Config: z.object({ Image: z.string().optional(), Labels }).loose().nullable().optional(),
  HostConfig: z.object({ Memory: z.number().optional() }).loose().nullable().optional(),
}).loose();

/** RFC 3339 → ms; Docker writes the zero time "0001-01-01T00:00:00Z" for "never". */
function timeMs(text: string | undefined): number | undefined {
  if (!text || text.startsWith('0001-')) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

export function parseContainerInspect(json: unknown): Parsed<ContainerMeta | undefined> {
  const r = Inspect.safeParse(json);
  if (!r.success || !ID.test(r.data.Id)) {
    return { value: undefined, problems: ['inspect: the engine answered something that is not a container (no 64-hex Id or State)'] };
  }
  const d = r.data;
  const problems: string[] = [];
  // Docker's flags win over Status: a restarting container's Status is "restarting", but older engines kept "running".
  const state = d.State.Restarting ? 'restarting' : d.State.Paused ? 'paused' : normaliseState(d.State.Status);
  const image = d.Config?.Image ?? d.ImageName ?? d.Image;
  const pid = d.State.Pid;
  const startedAt = timeMs(d.State.StartedAt);
  const memory = d.HostConfig?.Memory;
  const meta: ContainerMeta = {
    id: d.Id,
    name: clean((d.Name ?? '').replace(/^\//, ''), 256) || d.Id.slice(0, 12),
    ...(image ? { image: clean(image, 512) } : {}),
    state,
    ...(d.RestartCount !== undefined && Number.isInteger(d.RestartCount) && d.RestartCount >= 0 ? { restarts: d.RestartCount } : {}),
    labels: cleanLabels(d.Config?.Labels, problems, d.Id),
    ...(pid !== undefined && Number.isInteger(pid) && pid > 0 ? { pid } : {}),
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(memory !== undefined && Number.isFinite(memory) && memory > 0 ? { memoryLimitBytes: memory } : {}),
  };
  return { value: meta, problems };
}

/** `docker inspect ID…` prints a JSON array of inspect objects. */
export function parseCliInspect(text: string): Parsed<ContainerMeta[]> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { value: [], problems: [`inspect: not JSON: "${clean(text.trim(), 80)}"`] };
  }
  if (!Array.isArray(json)) return { value: [], problems: ['inspect: expected a JSON array'] };
  const problems: string[] = [];
  const out: ContainerMeta[] = [];
  for (const item of json) {
    const r = parseContainerInspect(item);
    problems.push(...r.problems);
    if (r.value) out.push(r.value);
  }
  return { value: out, problems };
}

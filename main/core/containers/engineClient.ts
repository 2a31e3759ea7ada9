// Two ways to ask a container engine about its containers, behind one
// interface: its HTTP API over a byte stream (a local unix socket, or an SSH
// channel forwarded to the remote socket), or its CLI over an SSH exec channel
// where the server will not forward to a unix socket (Dropbear has no
// direct-streamlocal; OpenSSH can be configured without it). Everything they
// return goes through engineApi's parsers.
import { shellQuote } from '../sources/agent/pacer.js';
import type { ContainerMeta } from '../model/containers.js';
import {
  parseCliInspect,
  parseCliList,
  parseContainerInspect,
  parseContainerList,
  parseEngineVersion,
  type EngineName,
  type ListedContainer,
  type Parsed,
} from './engineApi.js';
import { EngineRequestError, engineGetJson, type StreamOpener } from './engineHttp.js';

export type EngineVia = 'socket' | 'ssh-socket' | 'cli';

export interface EngineClient {
  readonly via: EngineVia;
  /** What is asked, for notes: the socket path, or `docker CLI`. */
  readonly target: string;
  version(): Promise<Parsed<{ engine: EngineName; version?: string }>>;
  list(): Promise<Parsed<ListedContainer[]>>;
  /** Containers that vanished between list and inspect are left out silently. */
  inspect(ids: readonly string[]): Promise<Parsed<ContainerMeta[]>>;
}

export const DEFAULT_ENGINE_TIMEOUT_MS = 5_000;
/** A list of a few thousand containers is a few MB; anything far beyond is not an engine. */
const MAX_LIST_BYTES = 32 * 1024 * 1024;
const MAX_INSPECT_BYTES = 4 * 1024 * 1024;

export interface ApiClientOptions {
  readonly open: StreamOpener;
  readonly via: 'socket' | 'ssh-socket';
  readonly target: string;
  readonly timeoutMs?: number;
}

/** The Engine API, unversioned paths (Docker and Podman's compat layer both serve them as their current version). */
export function apiEngineClient(options: ApiClientOptions): EngineClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_ENGINE_TIMEOUT_MS;
  const get = (path: string, maxBytes: number) => engineGetJson(options.open, path, { timeoutMs, maxBytes, target: options.target });
  return {
    via: options.via,
    target: options.target,
    async version() {
      return parseEngineVersion(await get('/version', 1024 * 1024));
    },
    async list() {
      return parseContainerList(await get('/containers/json?all=1', MAX_LIST_BYTES));
    },
    async inspect(ids) {
      const out: ContainerMeta[] = [];
      const problems: string[] = [];
      // One at a time: the engine serialises them anyway, and a slow engine
      // should not get a burst of a hundred requests.
      for (const id of ids) {
        try {
          const r = parseContainerInspect(await get(`/containers/${id}/json`, MAX_INSPECT_BYTES));
          problems.push(...r.problems);
          if (r.value) out.push(r.value);
        } catch (err) {
          if (err instanceof EngineRequestError && err.status === 404) continue;
          throw err;
        }
      }
      return { value: out, problems };
    },
  };
}

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

/** Runs one command on the host (an SSH exec channel), time-boxed by the caller's runner. */
export type CommandRunner = (command: string, timeoutMs: number) => Promise<CommandResult>;

export interface CliClientOptions {
  readonly run: CommandRunner;
  readonly cli: EngineName;
  /** `unix:///path` for a socket other than the CLI's default (docker -H / podman --url). */
  readonly socket?: string;
  readonly timeoutMs?: number;
}

/** Ids per `inspect` command: keeps the command line far below ARG_MAX (65 bytes each). */
const CLI_INSPECT_BATCH = 200;


export function cliEngineClient(options: CliClientOptions): EngineClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_ENGINE_TIMEOUT_MS * 2;
  const target = `${options.cli} CLI`;
  const base = options.socket
    ? `${options.cli} ${options.cli === 'docker' ? '-H' : '--url'} ${shellQuote(`unix://${options.socket}`)}`
    : options.cli;
  const run = async (args: string): Promise<string> => {
    const r = await options.run(`${base} ${args}`, timeoutMs);
    if (r.code === 0) return r.stdout;
    const why = r.stderr.trim().split('\n').slice(-2).join(' ').slice(0, 300) || `exit status ${r.code}`;
    // The CLIs' wording when the socket is not ours to open (docker: "permission
    // denied while trying to connect to the Docker daemon socket").
    if (/permission denied/i.test(why)) throw new EngineRequestError('connect', `${target}: ${why}`, 403);
    if (r.code === 127) throw new EngineRequestError('connect', `${target}: not found on the host's PATH`);
    throw new EngineRequestError('http', `${target}: ${why}`);
  };
  return {
    via: 'cli',
    target,
    async version() {
      const text = await run(`version --format '{{.Server.Version}}'`);
      return { value: { engine: options.cli, ...(text.trim() ? { version: text.trim().slice(0, 64) } : {}) }, problems: [] };
    },
    async list() {
      return parseCliList(await run(`ps -a --no-trunc --format '{{.ID}} {{.State}}'`));
    },
    async inspect(ids) {
      const out: ContainerMeta[] = [];
      const problems: string[] = [];
      for (let i = 0; i < ids.length; i += CLI_INSPECT_BATCH) {
        const batch = ids.slice(i, i + CLI_INSPECT_BATCH);
        // Ids come from parseCliList (64 hex), so they need no quoting. A
        // container removed meanwhile makes inspect exit 1 with the others
        // still printed: the JSON on stdout is what counts.
        const r = await options.run(`${base} inspect ${batch.join(' ')}`, timeoutMs);
        if (r.code !== 0 && r.stdout.trim() === '') {
          if (/no such (object|container)/i.test(r.stderr)) continue;
          throw new EngineRequestError('http', `${target}: ${r.stderr.trim().slice(0, 300) || `exit status ${r.code}`}`);
        }
        const parsed = parseCliInspect(r.stdout);
        out.push(...parsed.value);
        problems.push(...parsed.problems);
      }
      return { value: out, problems };
    },
  };
}

/** Whether an engine answer looked like the socket refusing us (EACCES), as opposed to the engine being down or slow. */
export function isPermissionDenied(err: unknown): boolean {
  return err instanceof EngineRequestError && (err.status === 403 || /EACCES|permission denied/i.test(err.message));
}

// Things a user defines either in the UI (a list in the data dir, secrets in
// the secret store) or in the provisioning file (read-only in the UI, secrets
// by reference): SSH hosts, cloud accounts. One set of definitions from both
// sides, one runtime per definition, and one queue that starts, restarts and
// stops runtimes until they match the definitions. The rules every such
// thing shares live here once: a provisioned entry cannot be changed in the
// UI, a UI entry wins a name clash with a provisioned one, the first of two
// provisioned entries of the same name wins.
import type { RpcError } from '../../common/contract.js';
import { provisionedEntryError } from '../config/provisionedError.js';
import type { Logger } from '../log.js';
import type { StoredListFile } from './storedList.js';

export interface ManagedDefinition {
  readonly name: string;
  readonly provisioned: boolean;
}

export interface ManagedSetOptions<Stored extends { readonly name: string }, Provisioned extends { readonly name: string }, Def extends ManagedDefinition, Runtime> {
  /** For messages: `host`, `cloud account`. */
  readonly what: string;
  /** The provisioning file's section, for messages: `hosts`. */
  readonly section: string;
  readonly dataDir: string;
  readonly file: StoredListFile<Stored>;
  readonly log: Logger;
  readonly fromStored: (stored: Stored) => Def;
  readonly fromProvisioned: (provisioned: Provisioned, baseDir: string) => Def;
  /** A runtime for a new definition; a throw leaves the definition without one (logged). */
  readonly start: (def: Def) => Runtime | Promise<Runtime>;
  /** A changed or forced definition; by default stop (keeping what it learned) then start. */
  readonly restart?: (def: Def, previous: Runtime) => Runtime | Promise<Runtime>;
  /** `forget`: the definition is gone for good (removed), not being restarted or shut down with the console. */
  readonly stop: (entry: { readonly def: Def; readonly runtime: Runtime }, how: { readonly forget: boolean }) => Promise<void>;
  /** Whether a definition changed enough to restart its runtime (default: any field). */
  readonly same?: (a: Def, b: Def) => boolean;
}

export class ManagedSet<Stored extends { readonly name: string }, Provisioned extends { readonly name: string }, Def extends ManagedDefinition, Runtime> {
  private storedList: Stored[] = [];
  private provisionedList: readonly Provisioned[] = [];
  private baseDir = process.cwd();
  private readonly running = new Map<string, { def: Def; runtime: Runtime }>();
  private queue: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(private readonly options: ManagedSetOptions<Stored, Provisioned, Def, Runtime>) {}

  /** Reads the UI's list; call once, before the first reconcile. */
  load(): void {
    const load = this.options.file.load(this.options.dataDir);
    for (const problem of load.problems) this.options.log.error(problem);
    this.storedList = load.entries;
  }

  get stored(): readonly Stored[] {
    return this.storedList;
  }

  /** Every definition in effect: the UI's, then the provisioning file's that do not clash with one. */
  definitions(warn = false): Def[] {
    const out = new Map<string, Def>();
    for (const s of this.storedList) out.set(s.name, this.options.fromStored(s));
    const seen = new Set<string>();
    for (const p of this.provisionedList) {
      if (seen.has(p.name)) {
        if (warn) this.options.log.warn(`config ${this.options.section}: ${p.name} is listed twice; the first entry is used`);
        continue;
      }
      seen.add(p.name);
      if (out.has(p.name)) {
        if (warn) this.options.log.warn(`config ${this.options.section}: ${p.name} is also a ${this.options.what} added in the UI; the provisioning file's entry is left out until one is renamed`);
        continue;
      }
      out.set(p.name, this.options.fromProvisioned(p, this.baseDir));
    }
    return [...out.values()];
  }

  definition(name: string): Def | undefined {
    return this.running.get(name)?.def ?? this.definitions().find((d) => d.name === name);
  }

  runtime(name: string): Runtime | undefined {
    return this.running.get(name)?.runtime;
  }

  entries(): { def: Def; runtime: Runtime }[] {
    return [...this.running.values()];
  }

  /** A name in use by either side (a UI add must pick another). */
  has(name: string): boolean {
    return this.running.has(name) || this.storedList.some((s) => s.name === name) || this.provisionedList.some((p) => p.name === name);
  }

  /** The running entry of a UI-defined name, for an edit: not_found, or `provisioned` when the file defines it. */
  editable(name: string, notFound: () => RpcError): { def: Def; runtime: Runtime } {
    const entry = this.running.get(name);
    if (!entry) throw notFound();
    if (entry.def.provisioned) throw provisionedEntryError(name);
    return entry;
  }

  setProvisioned(list: readonly Provisioned[], baseDir: string): void {
    this.provisionedList = [...list];
    this.baseDir = baseDir;
  }

  /** Changes the UI's list and saves it (the runtimes follow at the next reconcile). */
  setStored(next: Stored[]): void {
    this.storedList = next;
    this.options.file.save(this.options.dataDir, next);
  }

  /**
   * Starts, restarts and stops runtimes to match the definitions, after any
   * reconcile already queued; `restart` forces some (or all) to start afresh
   * (keys changed in the secret store do not change a definition).
   */
  reconcile(restart: ReadonlySet<string> | 'all' = new Set()): Promise<void> {
    this.queue = this.queue
      .then(() => this.apply(restart))
      .catch((err) => this.options.log.error(`could not apply the ${this.options.what}s`, { error: (err as Error).message }));
    return this.queue;
  }

  /** Waits for the queue, then stops every runtime (the definitions stay). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.queue;
    await Promise.all([...this.running.values()].map((entry) => this.options.stop(entry, { forget: false })));
    this.running.clear();
  }

  private async apply(restart: ReadonlySet<string> | 'all'): Promise<void> {
    if (this.stopping) return;
    const desired = new Map(this.definitions(true).map((d) => [d.name, d]));
    const same = this.options.same ?? ((a: Def, b: Def) => JSON.stringify(a) === JSON.stringify(b));
    for (const [name, entry] of [...this.running]) {
      if (desired.has(name)) continue;
      this.running.delete(name);
      await this.options.stop(entry, { forget: true });
    }
    for (const [name, def] of desired) {
      if (this.stopping) return;
      const current = this.running.get(name);
      const forced = restart === 'all' || restart.has(name);
      if (current && !forced && same(current.def, def)) continue;
      try {
        let runtime: Runtime;
        if (current && this.options.restart) runtime = await this.options.restart(def, current.runtime);
        else {
          if (current) {
            this.running.delete(name);
            await this.options.stop(current, { forget: false });
          }
          runtime = await this.options.start(def);
        }
        this.running.set(name, { def, runtime });
      } catch (err) {
        this.options.log.error(`${this.options.what} ${name}: left out: ${(err as Error).message}`);
      }
    }
  }
}

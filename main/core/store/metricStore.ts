// The history store as the core uses it: the engine (sqliteStore.ts) runs on
// a worker thread of its own (storeWorker.ts), behind the asynchronous
// MetricStore. Appending 12,000 samples, a 7-day chart or a housekeeping step
// then costs the core's thread only the packing and unpacking of messages.
//
// - Order: one worker, one message port; the worker handles each message to
//   completion before the next, so calls apply in the order they were made.
// - Samples cross as typed arrays plus a table of series sent once each
//   (workerProtocol.ts), not as thousands of cloned objects.
// - Errors of the engine (a full disk, a closed store, a schema newer than
//   this build) reject the caller's promise with the engine's own message.
// - A worker that dies (an uncaught error, out of memory, terminated) is
//   reported through onProblem and started again at once (after a pause if
//   it keeps dying); the calls it had not answered reject, saying so. The new
//   worker opens the database again and replays the head log, so nothing
//   whose append resolved is lost.
// - close() is queued behind every call made before it, so it drains them,
//   then waits for the thread to end.
// - An idle store does not keep the process alive; a pending call does.
//
// Where the worker script lives: next to this file, as storeWorker.js in the
// build (dist/), storeWorker.ts when this file runs from the TypeScript
// sources (vitest, which starts the test processes with a TypeScript loader
// that worker threads inherit: scripts/workerTsLoader.mjs). In the Electron
// main process the script is read from app.asar like this file (appFiles.ts:
// a file this process reads, not one handed to another program; Electron
// initialises asar support in worker threads since v18, electron/electron#33216);
// better-sqlite3's binary is unpacked by electron-builder.yml's `**/*.node`
// rule, and `nativeBinding` is handed to the worker with the other options.
import { Worker } from 'node:worker_threads';
import { moduleFile } from '../appFiles.js';
import type { Sample } from '../../common/series.js';
import type { MetricStoreOptions } from './sqliteStore.js';
import type { StoreWorkerData } from './storeWorker.js';
import type { AppendOptions, MetricStore, RangeRequest, SeriesInfo, StoreStats, StoredRange } from './types.js';
import { SeriesTable, fromWireError, unpackRanges, type StoreCall, type StoreReply, type WireRanges } from './workerProtocol.js';

export interface WorkerStoreOptions extends MetricStoreOptions {
  /** Told when the worker dies (and is being restarted); the core logs it. */
  readonly onProblem?: (message: string) => void;
}

/** Fault injection for tests: ends the worker thread abruptly, as a crash would. */
export const terminateWorker: unique symbol = Symbol('terminate the store worker');

export interface WorkerMetricStore extends MetricStore {
  [terminateWorker](): Promise<void>;
}

// A worker that dies more than this often within the window is restarted after a pause.
const QUICK_DEATHS = 3;
const QUICK_DEATH_WINDOW_MS = 60_000;
const RESTART_PAUSES_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

function workerScript(): string {
  const fromSources = import.meta.url.endsWith('.ts');
  return moduleFile(import.meta.url, fromSources ? './storeWorker.ts' : './storeWorker.js', 'read');
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
}

/** One worker thread and what it owes: replies by call id. */
interface Generation {
  readonly worker: Worker;
  readonly table: SeriesTable;
  readonly pending: Map<number, Pending>;
  exited: boolean;
  /** Why it died, from its 'error' event, for the report. */
  failure?: string;
}

export function openMetricStore(options: WorkerStoreOptions): WorkerMetricStore {
  const { now: clock = Date.now, onProblem, ...rest } = options;
  // What a new worker opens with; setRetention keeps it current, so a restarted worker keeps the retention.
  let data: StoreWorkerData = rest;
  let nextId = 1;
  let closing: Promise<void> | undefined;
  let closed = false;
  const deaths: number[] = [];
  let restartPause: Promise<void> | undefined;
  let generation = start();

  function start(): Generation {
    const worker = new Worker(workerScript(), { workerData: data, name: 'overlook history store' });
    const gen: Generation = { worker, table: new SeriesTable(), pending: new Map(), exited: false };
    worker.unref();
    worker.on('message', (reply: StoreReply) => {
      const call = gen.pending.get(reply.id);
      if (!call) return;
      gen.pending.delete(reply.id);
      // Idle: let the process exit. Closing: stay referenced until the thread has ended.
      if (gen.pending.size === 0 && !closed) worker.unref();
      if (reply.ok) call.resolve(reply.value);
      else call.reject(fromWireError(reply.error));
    });
    worker.on('error', (err) => {
      gen.failure = err.message;
    });
    worker.on('exit', (code) => {
      gen.exited = true;
      const expected = closed && gen.pending.size === 0;
      const why = gen.failure ?? `exit code ${code}`;
      for (const call of gen.pending.values()) {
        call.reject(new Error(`history database ${options.file}: the store worker stopped (${why}) before answering${closed ? '' : '; it is being restarted'}`));
      }
      gen.pending.clear();
      if (expected || closed || generation !== gen) return;
      onProblem?.(`history store worker stopped (${why}); restarting it`);
      restart();
    });
    return gen;
  }

  function restart(): void {
    const t = Date.now();
    deaths.push(t);
    while (deaths.length && deaths[0]! < t - QUICK_DEATH_WINDOW_MS) deaths.shift();
    if (deaths.length < QUICK_DEATHS) {
      generation = start();
      return;
    }
    const pause = RESTART_PAUSES_MS[Math.min(deaths.length - QUICK_DEATHS, RESTART_PAUSES_MS.length - 1)]!;
    onProblem?.(`history store worker died ${deaths.length} times within a minute; next start in ${pause / 1000} s`);
    // Referenced: calls waiting for the new worker keep the process alive.
    restartPause = new Promise<void>((resolve) => setTimeout(resolve, pause)).then(() => {
      restartPause = undefined;
      if (!closed) generation = start();
    });
  }

  async function call<T>(message: StoreCall, transfer?: ArrayBuffer[]): Promise<T> {
    if (restartPause) await restartPause;
    const gen = generation;
    if (gen.exited) throw new Error(`history database ${options.file}: the store worker is not running`);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      gen.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      gen.worker.ref();
      gen.worker.postMessage({ id, call: message }, transfer);
    });
  }

  const assertOpen = () => {
    if (closed) throw new Error(`history database ${options.file} is closed`);
  };

  return {
    async append(samples: readonly Sample[], appendOptions?: AppendOptions): Promise<void> {
      assertOpen();
      if (samples.length === 0) return;
      if (restartPause) await restartPause;
      // Packed against the table of the worker that will receive it.
      const packed = generation.table.pack(samples);
      const message: StoreCall = { op: 'append', now: clock(), ...packed, ...(appendOptions ? { options: appendOptions } : {}) };
      return call<void>(message, [packed.index.buffer as ArrayBuffer, packed.t.buffer as ArrayBuffer, packed.v.buffer as ArrayBuffer]);
    },
    async series(selector): Promise<SeriesInfo[]> {
      assertOpen();
      return call<SeriesInfo[]>({ op: 'series', selector });
    },
    async query(request: RangeRequest): Promise<StoredRange[]> {
      assertOpen();
      return unpackRanges(await call<WireRanges>({ op: 'query', request }));
    },
    async housekeeping(now: number): Promise<{ readonly pending: boolean }> {
      assertOpen();
      return call<{ readonly pending: boolean }>({ op: 'housekeeping', now });
    },
    async setRetention(retention): Promise<void> {
      assertOpen();
      await call<void>({ op: 'setRetention', retention });
      data = { ...data, retention };
    },
    async stats(): Promise<StoreStats> {
      assertOpen();
      return call<StoreStats>({ op: 'stats' });
    },
    close(): Promise<void> {
      if (closing) return closing;
      closing = (async () => {
        if (restartPause) await restartPause;
        const gen = generation;
        const exited = new Promise<void>((resolve) => (gen.exited ? resolve() : gen.worker.once('exit', () => resolve())));
        const done = gen.exited ? Promise.resolve() : call<void>({ op: 'close' });
        closed = true;
        try {
          // A worker that died meanwhile has nothing left to drain: what it committed is on disk.
          await done.catch((err: unknown) => {
            if (!gen.exited) throw err;
          });
        } finally {
          await exited;
        }
      })();
      return closing;
    },
    async [terminateWorker](): Promise<void> {
      const gen = generation;
      gen.failure = 'terminated';
      await gen.worker.terminate();
    },
  };
}

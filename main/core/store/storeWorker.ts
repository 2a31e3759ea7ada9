// The store's own thread: a thin message loop around the synchronous engine
// (sqliteStore.ts), so ingest, queries and housekeeping never hold the thread
// that serves the window and the WebSocket. metricStore.ts starts it and is
// its only caller. Messages are handled one at a time, in the order they were
// posted, each to completion, so calls are applied in the order they were made.
//
// If the database cannot be opened (schema newer than this build, a file that
// is not a database, a missing native binding), the worker stays up and
// answers every call with that error, so callers get the message, not a
// restart loop.
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteStore, type MetricStoreOptions, type SqliteMetricStore } from './sqliteStore.js';
import { packRanges, toWireError, type StoreCall, type StoreReply, type StoreRequest } from './workerProtocol.js';
import type { SeriesRef } from './types.js';

/** What metricStore.ts passes as workerData: the engine's options without the clock (the caller's clock comes with each append). */
export type StoreWorkerData = Omit<MetricStoreOptions, 'now'>;

const port = parentPort;
if (!port) throw new Error('storeWorker.ts runs as a worker thread (started by metricStore.ts)');

let callerNow = Date.now();
let engine: SqliteMetricStore | undefined;
let openError: unknown;
try {
  engine = openSqliteStore({ ...(workerData as StoreWorkerData), now: () => callerNow });
} catch (err) {
  openError = err;
}

/** The worker's half of the series table (workerProtocol.ts SeriesTable): entry i is series i the caller sent. */
const table: SeriesRef[] = [];

function handle(call: StoreCall): { value: unknown; transfer?: ArrayBuffer[] } {
  if (!engine) {
    if (call.op === 'close') return { value: undefined };
    throw openError;
  }
  switch (call.op) {
    case 'append':
      // The table grows first: later batches refer to these entries even if this one fails.
      for (const ref of call.newSeries) table.push(ref);
      callerNow = call.now;
      engine.appendColumns({ series: table, index: call.index, t: call.t, v: call.v }, call.options);
      return { value: undefined };
    case 'series':
      return { value: engine.series(call.selector) };
    case 'names':
      return { value: engine.names() };
    case 'query': {
      const wire = packRanges(engine.queryFlat(call.request));
      return { value: wire, transfer: [wire.points.buffer as ArrayBuffer] };
    }
    case 'housekeeping':
      return { value: engine.housekeeping(call.now) };
    case 'setRetention':
      engine.setRetention(call.retention);
      return { value: undefined };
    case 'stats':
      return { value: engine.stats() };
    case 'outboxTargets':
      return { value: engine.outboxTargets(call.targets) };
    case 'outboxForget':
      engine.outboxForget(call.names);
      return { value: undefined };
    case 'outboxRead': {
      const batch = engine.outboxRead(call.request);
      return { value: batch, transfer: [batch.ids.buffer as ArrayBuffer, batch.t.buffer as ArrayBuffer, batch.v.buffer as ArrayBuffer] };
    }
    case 'outboxAck':
      callerNow = call.now;
      engine.outboxAck(call.target, call.pos);
      return { value: undefined };
    case 'outboxStatus':
      callerNow = call.now;
      return { value: engine.outboxStatus() };
    case 'close':
      engine.close();
      return { value: undefined };
  }
}

port.on('message', (request: StoreRequest) => {
  let reply: StoreReply;
  let transfer: ArrayBuffer[] | undefined;
  try {
    const result = handle(request.call);
    reply = { id: request.id, ok: true, value: result.value };
    transfer = result.transfer;
  } catch (err) {
    reply = { id: request.id, ok: false, error: toWireError(err) };
  }
  port.postMessage(reply, transfer);
  // Nothing else keeps the thread alive: closing the port lets it exit once the reply is out.
  if (request.call.op === 'close') port.close();
});

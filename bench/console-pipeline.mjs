// The whole console per observation at 200 hosts: what one observation costs
// from the agent's frame to everything the console does with it — split and
// parse (parse/agentDecoder.ts), derive (derive/observation.ts), the store
// append on its worker thread (store/metricStore.ts, through the core's
// batcher), alert evaluation (the built-in rules plus 20 threshold rules over
// these hosts), the anomaly scorer, the /metrics exporter scraped every 15 s,
// and the `samples/appended` summary the UI receives.
//
// In full: a real core (createCore with the default features, the exporter
// listening on loopback) whose hosts are in-process sources pushing real
// agent-5 frames (bench/fixtures/agent-debian12-vm.capture.br) through the
// console's own decoder at the poll interval, in real time, as an SSH source
// would once its channel has delivered the bytes. Each host replays the
// capture from its own frame with its own counter pace (bench/fleet-replay.mjs:
// renamed, values varied). The figure is this process's CPU (process.cpuUsage:
// every thread, the store's worker included) over a steady-state window,
// divided by the observations ingested in it.
//
// Stage by stage: each stage alone on the same frames (parse, derive, store
// append, one alert evaluation through the store's worker), plus the scrape
// and UI-event costs timed inside the full run.
//
// The peer, in the same run: bench/ssh-fleet.mjs's "console CPU per
// observation" (transport and parsing only: real sshd, real agents, no core),
// run first as a child process, so both carry the same machine.
//   node bench/console-pipeline.mjs [hosts=200] [seconds=60] [--no-peer] [--peer-seconds 60]
// Prints figures with the load average; asserts nothing. Build first:
// npm run build. The peer needs root (sshd, a network namespace).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadAverage, loadDist } from './lib.mjs';
import { loadCapture, loadCaptureFrames, makeReplayFleet } from './fleet-replay.mjs';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
};
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const NO_PEER = flag('no-peer');
const PEER_SECONDS = Number(opt('peer-seconds', 60));
const HOSTS = Number(args[0] ?? 200);
const SECONDS = Number(args[1] ?? 60);
const INTERVAL_MS = 5000; // the console's default poll interval
const SCRAPE_MS = 15_000; // Prometheus's usual scrape interval
const METRICS_PORT = 19431;
const root = fileURLToPath(new URL('..', import.meta.url));

const { createCore } = await loadDist('core/createCore.js');
const { defaultFeatures } = await loadDist('core/features.js');
const { createMemoryLogger } = await loadDist('core/log.js');
const { createEncryptedFileSecretStore } = await loadDist('core/secrets/encryptedFileSecretStore.js');
const { createAgentDecoder } = await loadDist('core/parse/agentDecoder.js');
const { deriveSamples } = await loadDist('core/derive/observation.js');
const { openMetricStore } = await loadDist('core/store/metricStore.js');
const { AlertEngine } = await loadDist('core/alerts/engine.js');
const { AlertJournal } = await loadDist('core/alerts/journal.js');
const { storeWindowReader } = await loadDist('core/alerts/storeReader.js');
const { createMetricsExposition } = await loadDist('core/export/exporter.js');
const { hostContainerExportSeries } = await loadDist('core/containers/exportContainers.js');

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mib = (b) => (b / 2 ** 20).toFixed(0);
const f2 = (x) => x.toFixed(2);
const f3 = (x) => x.toFixed(3);

const frames = loadCaptureFrames();
const capture = loadCapture();

/** Twenty threshold rules over these hosts, as a user would write them (some on every host, some on a subset). */
function thresholdRules() {
  const rules = [];
  const metrics = [
    ['host:cpu_usage:ratio', 'avg', 0.9],
    ['host:memory_used:ratio', 'last', 0.9],
    ['host:filesystem_fullest_used:ratio', 'max', 0.85],
    ['node_load1', 'avg', 4],
    ['host:network_receive_bytes:rate', 'avg', 50e6],
    ['host:network_transmit_bytes:rate', 'avg', 50e6],
    ['host:disk_written_bytes:rate', 'avg', 100e6],
    ['host:disk_read_bytes:rate', 'avg', 100e6],
    ['host:pressure_waiting:ratio', 'avg', 0.2],
    ['container:cpu_usage:cores', 'avg', 2],
  ];
  for (let i = 0; i < 20; i++) {
    const [metric, aggregate, threshold] = metrics[i % metrics.length];
    const selector = i < 10 ? metric : `${metric}{host=~"host-0[${i % 5}-${(i % 5) + 4}].*"}`;
    rules.push({ name: `bench rule ${i}`, selector, aggregate, window: 5 * 60_000, op: '>', threshold, for: 60_000, keepFiringFor: 60_000, severity: 'warning' });
  }
  return rules;
}

// ------------------------------------------------------------------ the peer
function runPeer() {
  if (NO_PEER) return undefined;
  const started = loadAverage();
  let out;
  try {
    out = execFileSync(process.execPath, [path.join(root, 'bench/ssh-fleet.mjs'), String(HOSTS), String(PEER_SECONDS)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: (PEER_SECONDS + 400) * 1000 });
  } catch (err) {
    return { error: (err.stdout ?? '') + err.message };
  }
  const perObs = out.match(/([\d.]+) ms CPU per observation/);
  const parse = out.match(/split\+parse ([\d.]+) ms per sample/);
  const cpu = out.match(/console CPU ([\d.]+) % of one core/);
  const rate = out.match(/observations: ([\d.]+)\/s/);
  return { perObs: perObs && Number(perObs[1]), parse: parse && Number(parse[1]), cpu: cpu && Number(cpu[1]), rate: rate && Number(rate[1]), load: `${started} → ${loadAverage()}` };
}

// ------------------------------------------------------------------ in full: a real core
/** One host's source: at each of its poll times, the capture frame it replays goes through the console's decoder. */
function makeSources(fleet) {
  const active = new Set();
  let decodeMs = 0;
  let replayMs = 0;
  let observations = 0;
  let problems = 0;
  const sources = fleet.map((replay) => ({
    start(events) {
      this.events = events;
      this.decoder = createAgentDecoder();
      events.status('online');
      active.add(this);
    },
    async stop() {
      active.delete(this);
    },
    tick(now) {
      while (replay.peekT() <= now) {
        const r0 = performance.now();
        const { frame, observation } = replay.nextObservation();
        const t0 = performance.now();
        replayMs += t0 - r0;
        const results = this.decoder.push(frames[frame].text, now);
        decodeMs += performance.now() - t0;
        for (const r of results) {
          if (r.kind !== 'observation') {
            problems++;
            continue;
          }
          // The parsed frame, with this host's replayed time and (varied) values.
          this.events.observation({ ...r.observation, t: observation.t, ...(observation.monotonicSeconds === undefined ? {} : { monotonicSeconds: observation.monotonicSeconds }), series: observation.series });
          observations++;
        }
      }
    },
  }));
  const timer = setInterval(() => {
    const now = Date.now();
    for (const s of active) s.tick(now);
  }, 20);
  return { sources, stop: () => clearInterval(timer), stats: () => ({ decodeMs, replayMs, observations, problems }) };
}

async function runCore() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-pipeline-'));
  const log = createMemoryLogger();
  const fleet = makeReplayFleet(capture, { hosts: HOSTS, t0: Date.now() + 1000, intervalMs: INTERVAL_MS });
  const feed = makeSources(fleet);
  const benchHosts = (ctx) => ({
    name: 'bench hosts',
    start() {
      fleet.forEach((replay, i) => ctx.addHost({ id: replay.name, name: replay.name, kind: 'ssh', pollIntervalMs: INTERVAL_MS, tags: ['bench'], provisioned: false }, feed.sources[i]));
    },
  });
  const core = createCore({
    dataDir,
    shell: 'headless',
    secrets: createEncryptedFileSecretStore(dataDir),
    log,
    version: 'bench',
    createLocalSource: () => ({ start() {}, async stop() {} }),
    features: [...defaultFeatures({ metricsListen: `127.0.0.1:${METRICS_PORT}` }), benchHosts],
  });
  // What the UI gets: every event, serialised as the headless server sends it.
  let uiMs = 0;
  let uiBytes = 0;
  let uiEvents = 0;
  let appended = 0;
  core.subscribe((event, payload) => {
    const t0 = performance.now();
    uiBytes += Buffer.byteLength(JSON.stringify({ event, payload }));
    uiMs += performance.now() - t0;
    uiEvents++;
    if (event === 'samples/appended') appended++;
  });
  await core.start();
  const call = (name, input) => core.handlers[name](input);
  for (const rule of thresholdRules()) await call('alerts/rule-create', rule);
  const rules = (await call('alerts/rules')).rules;

  let scrapeCpu = 0;
  let scrapeBytes = 0;
  let scrapes = 0;
  let scrapeError;
  const scrape = async () => {
    const c0 = cpuMs();
    try {
      const res = await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`);
      const text = await res.text();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
      scrapeBytes = text.length;
      scrapeCpu += cpuMs() - c0;
      scrapes++;
    } catch (err) {
      scrapeError = err.message;
    }
  };
  const scraper = setInterval(() => void scrape(), SCRAPE_MS);

  // Warm-up: every host online, a few intervals of first-connect work and JIT behind.
  await new Promise((r) => setTimeout(r, 4 * INTERVAL_MS));
  global.gc?.();
  const s0 = feed.stats();
  const ui0 = { uiMs, uiBytes, uiEvents, appended };
  const sc0 = { scrapeCpu, scrapes };
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  let rssMax = 0;
  const end = Date.now() + SECONDS * 1000;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 1000));
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }
  const wall = (performance.now() - w0) / 1000;
  const cpu = process.cpuUsage(c0);
  const s1 = feed.stats();
  const obs = s1.observations - s0.observations;
  clearInterval(scraper);
  const app = await call('app/info');
  const health = log.lines.filter((l) => /\berror\b/.test(l.slice(0, 40)));
  feed.stop();
  await core.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  // The bench's own work (varying each host's values) runs on the main thread: taken out of the figure.
  const replayMs = s1.replayMs - s0.replayMs;
  const cpuTotal = (cpu.user + cpu.system) / 1000 - replayMs;
  return {
    wall,
    obs,
    rate: obs / wall,
    cpuMs: cpuTotal,
    perObs: cpuTotal / obs,
    userMs: cpu.user / 1000,
    sysMs: cpu.system / 1000,
    replayPerObs: replayMs / obs,
    decodePerObs: (s1.decodeMs - s0.decodeMs) / obs,
    problems: s1.problems,
    uiPerObs: (uiMs - ui0.uiMs) / obs,
    uiBytesPerObs: (uiBytes - ui0.uiBytes) / obs,
    uiEventsPerObs: (uiEvents - ui0.uiEvents) / obs,
    appendedPerObs: (appended - ui0.appended) / obs,
    scrapes: scrapes - sc0.scrapes,
    scrapeCpu: (scrapeCpu - sc0.scrapeCpu) / Math.max(1, scrapes - sc0.scrapes),
    scrapeBytes,
    scrapeError,
    rules: rules.length,
    enabledRules: rules.filter((r) => r.enabled ?? r.rule?.enabled ?? true).length,
    series: app.store.series,
    rssMax,
    errors: [...new Set(health)].slice(0, 3),
  };
}

// ------------------------------------------------------------------ stage by stage, each alone
async function runStages() {
  const POLLS = 12;
  // Split + parse: every frame of the capture through one decoder, in order (the slow files carried).
  const parseRuns = [];
  for (let r = 0; r < 7; r++) {
    const decoder = createAgentDecoder();
    const t0 = cpuMs();
    for (const f of frames) decoder.push(f.text, f.receivedAt);
    parseRuns.push((cpuMs() - t0) / frames.length);
  }
  // Derive: the replayed fleet's observations, derived host by host as the registry does.
  const fleet = makeReplayFleet(capture, { hosts: HOSTS, t0: Date.UTC(2026, 0, 1), intervalMs: INTERVAL_MS, seed: 7 });
  const perPoll = [];
  for (let p = 0; p < POLLS + 1; p++) perPoll.push(fleet.map((h) => ({ host: h.name, ...h.nextObservation() })));
  const previous = new Map();
  const deriveCpu = [];
  const derived = [];
  for (const poll of perPoll) {
    const t0 = cpuMs();
    const batch = [];
    for (const { host, observation } of poll) {
      const d = deriveSamples(previous.get(host), observation, host);
      previous.set(host, observation);
      for (const s of d.samples) batch.push(s);
    }
    deriveCpu.push((cpuMs() - t0) / poll.length);
    derived.push(batch);
  }
  // Store: one append per poll interval of all hosts' samples, through the worker (this process's CPU, the worker's included).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-pipeline-stages-'));
  const store = openMetricStore({ file: path.join(dir, 'history.sqlite') });
  await store.stats();
  const appendCpu = [];
  for (const batch of derived) {
    const t0 = cpuMs();
    await store.append(batch);
    appendCpu.push((cpuMs() - t0) / HOSTS);
  }
  // Alerts: the built-in rules plus the 20 threshold rules, reading the store as the core does; one evaluation a poll interval.
  const lastT = derived.at(-1)[0]?.t ?? Date.now();
  const journal = new AlertJournal({ file: path.join(dir, 'alerts.sqlite') });
  const engine = new AlertEngine({ journal, reader: storeWindowReader(store, () => INTERVAL_MS), now: () => lastT });
  const builtIn = engine.listRules().length;
  for (const rule of thresholdRules()) engine.createRule(rule);
  await engine.evaluate();
  const evalCpu = [];
  let evalSeries = 0;
  for (let i = 0; i < 9; i++) {
    const t0 = cpuMs();
    const r = await engine.evaluate();
    evalCpu.push((cpuMs() - t0) / HOSTS);
    evalSeries = r.series;
  }
  await engine.close();
  // Export: the whole-fleet /metrics text of the latest poll, as the exporter feature builds it (render alone, no HTTP).
  const latest = perPoll.at(-1);
  const exposition = createMetricsExposition({
    log: createMemoryLogger(),
    now: () => lastT,
    source: {
      hosts: () => latest.map(({ host, observation: o }) => ({ host, up: true, lastSampleAt: o.t, series: o.containers ? [...o.series, ...hostContainerExportSeries(o)] : o.series })),
      targets: () => latest.map(({ host }) => ({ id: host, name: host, source: 'ssh', tags: ['bench'] })),
      host: () => undefined,
      health: async () => ({ samplesIngested: 0, ingestFailures: 0, samplesLost: 0, samplesDropped: 0, sshReconnects: 0, agentErrors: 0, alertEvaluations: 0, dbSizeBytes: 0, cloudApis: [] }),
    },
  });
  let renderBytes = 0;
  renderBytes = (await exposition.render()).length;
  const renderCpu = [];
  for (let i = 0; i < 7; i++) {
    const t0 = cpuMs();
    await exposition.render();
    renderCpu.push(cpuMs() - t0);
  }
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    parse: median(parseRuns),
    derive: median(deriveCpu.slice(1)), // the first poll derives no rates
    append: median(appendCpu.slice(2)),
    samplesPerObs: derived.at(-1).length / HOSTS,
    alerts: median(evalCpu),
    builtIn,
    evalSeries,
    render: median(renderCpu),
    renderBytes,
  };
}

// ------------------------------------------------------------------ run and print
const loadStart = loadAverage();
const peer = runPeer();
const loadCore = loadAverage();
const full = await runCore();
const loadStages = loadAverage();
const stages = await runStages();
const loadEnd = loadAverage();

const perScrapeObs = (HOSTS * SCRAPE_MS) / INTERVAL_MS;
console.log(`console-pipeline: ${HOSTS} hosts replaying ${frames.length} real agent-5 frames (bench/fixtures/agent-debian12-vm.capture.br), poll ${INTERVAL_MS / 1000} s, /metrics scraped every ${SCRAPE_MS / 1000} s; ${os.cpus().length} cores`);
console.log(`load average (1 5 15 min): start ${loadStart}; core run ${loadCore}; stages ${loadStages}; end ${loadEnd}`);
console.log('');
console.log(`in full (a real core, default features; alert rules: ${full.rules - 20} built-in + 20 threshold, ${full.enabledRules} enabled; ${full.series} stored series), steady state over ${full.wall.toFixed(0)} s:`);
console.log(`  ${f2(full.perObs)} ms CPU per observation (user ${f2(full.userMs / full.obs)}, sys ${f2(full.sysMs / full.obs)}; every thread of the process, the store's worker included; the bench's own replay, ${f3(full.replayPerObs)} ms/obs, taken out)`);
console.log(`  ${full.rate.toFixed(1)} observations/s ingested (expected ${(HOSTS / (INTERVAL_MS / 1000)).toFixed(1)}); console CPU ${((100 * full.cpuMs) / 1000 / full.wall).toFixed(1)} % of one core; one core sustains ~${Math.floor(1000 / full.perObs)} observations/s (${Math.floor((1000 / full.perObs) * (INTERVAL_MS / 1000))} hosts at ${INTERVAL_MS / 1000} s)`);
console.log(`  RSS max ${mib(full.rssMax)} MiB; frames not parsed ${full.problems}`);
console.log(`  measured inside the run: split+parse ${f3(full.decodePerObs)} ms/obs; /metrics scrape (render + HTTP + client, and whatever ingest ran while it was in flight) ${full.scrapeCpu.toFixed(1)} ms CPU each, ${(full.scrapeBytes / 1e6).toFixed(2)} MB, ${full.scrapes} scrapes = ${f3(full.scrapeCpu / perScrapeObs)} ms/obs; UI events ${f2(full.uiEventsPerObs)}/obs (samples/appended ${f2(full.appendedPerObs)}/obs), ${(full.uiBytesPerObs / 1024).toFixed(2)} KiB/obs serialised in ${f3(full.uiPerObs)} ms/obs`);
if (full.scrapeError) console.log(`  scrape error: ${full.scrapeError}`);
if (full.errors.length) console.log(`  core errors logged: ${full.errors.join(' / ')}`);
console.log('');
console.log(`stage by stage, each alone on the same frames (ms CPU per observation; ${stages.samplesPerObs.toFixed(0)} samples per observation):`);
console.log(`  split + parse      ${f3(stages.parse)}`);
console.log(`  derive             ${f3(stages.derive)}`);
console.log(`  store append       ${f3(stages.append)}  (one append of ${HOSTS} hosts' samples per interval, through the worker)`);
console.log(`  alert evaluation   ${f3(stages.alerts)}  (${stages.builtIn} built-in + 20 threshold rules, ${stages.evalSeries} series-evaluations per cycle, one cycle per interval, reads through the worker)`);
console.log(`  /metrics export    ${f3(stages.render / perScrapeObs)}  (one whole-fleet render per ${SCRAPE_MS / 1000} s = ${perScrapeObs} observations: ${stages.render.toFixed(0)} ms CPU, ${(stages.renderBytes / 1e6).toFixed(2)} MB; no HTTP)`);
console.log(`  UI events          ${f3(full.uiPerObs)}  (serialising; from the full run)`);
const sum = stages.parse + stages.derive + stages.append + stages.alerts + stages.render / perScrapeObs + full.uiPerObs;
console.log(`  sum of stages      ${f3(sum)}; the rest of the full figure (${f3(full.perObs - sum)}) is the batcher, registry, anomaly scorer, top-K/process/container features, timers and GC`);
console.log('');
if (!peer) console.log('peer (ssh-fleet, transport and parsing only): not run (--no-peer)');
else if (peer.error) console.log(`peer (ssh-fleet, transport and parsing only): failed: ${peer.error.split('\n').slice(-3).join(' / ')}`);
else
  console.log(
    `peer, same run: ssh-fleet (${HOSTS} hosts over real sshd, transport and parsing only, no core) ${f2(peer.perObs)} ms CPU per observation (split+parse ${f2(peer.parse)} ms of it, on its agents' frames), ${peer.rate}/s, console CPU ${peer.cpu} % of one core; load ${peer.load}\n` +
      `  whole console ${f2(full.perObs)} ms vs transport+parse ${f2(peer.perObs)} ms (${(full.perObs / peer.perObs).toFixed(1)}×); over SSH the whole console is ≈ ${f2(full.perObs + peer.perObs - peer.parse)} ms per observation (this core's figure plus the peer's transport, ${f2(peer.perObs - peer.parse)} ms)`,
  );

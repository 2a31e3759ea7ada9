// A fleet for the store benches, made from a real agent capture
// (bench/fixtures/*.capture.br, recorded by bench/capture-agent.mjs): every
// frame goes through the real parser (parseAgentFrame) and the real
// derivation (deriveSamples), so the stored series are exactly what the core
// would store for that host. Per-host variation, so 200 hosts are not 200
// copies of one:
// - each host starts at its own frame of the capture and loops over it,
//   counters continued (a loop adds the capture's whole increase again);
// - each host polls at its own phase of the interval, with the capture's own
//   receive-time jitter;
// - each host's disk and network counters move at its own pace: their
//   increases are scaled by a per-host factor (log-uniform, 1/4 to 4×), so
//   rates differ from host to host as they do in a real fleet.
// Deterministic for a seed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const { parseAgentFrame } = await import(`${root}dist/main/core/parse/agentFrame.js`);
const { deriveSamples } = await import(`${root}dist/main/core/derive/observation.js`);
const { metricInfo } = await import(`${root}dist/main/common/metrics.js`);
const { decimalPlaces } = await import(`${root}dist/main/core/store/chunkCodec.js`);

export const DEFAULT_CAPTURE = `${root}bench/fixtures/agent-debian12-vm.capture.br`;
const MARK = '@@capture received_at_ms ';

/** The frames of a capture as the agent wrote them (begin and end lines included) with their receive times, in order. */
export function loadCaptureFrames(file = DEFAULT_CAPTURE) {
  const text = brotliDecompressSync(readFileSync(file)).toString('utf8');
  return text.split(MARK).slice(1).map((part) => {
    const newline = part.indexOf('\n');
    return { receivedAt: Number(part.slice(0, newline)), text: part.slice(newline + 1).replace(/\n+$/, '\n') };
  });
}

/** The frames of a capture as parsed observations, in order. */
export function loadCapture(file = DEFAULT_CAPTURE) {
  const text = brotliDecompressSync(readFileSync(file)).toString('utf8');
  const observations = [];
  // Agent 5 sends its slow-changing files (uname, limits, link attributes)
  // every ~30 s; between those frames they are carried, as the console's
  // decoder (parse/agentDecoder.ts) carries them.
  let slow;
  for (const part of text.split(MARK).slice(1)) {
    const newline = part.indexOf('\n');
    const receivedAt = Number(part.slice(0, newline));
    // The capture ends each frame with a newline of its own.
    const result = parseAgentFrame(part.slice(newline + 1).replace(/\n+$/, '\n'), receivedAt, slow);
    if (result.kind !== 'observation') throw new Error(`capture ${file}: a frame did not parse (${result.kind}: ${result.problem ?? result.message})`);
    if (result.slowFiles) slow = result.slowFiles;
    observations.push(result.observation);
  }
  if (observations.length < 3) throw new Error(`capture ${file}: needs at least 3 frames, has ${observations.length}`);
  return observations;
}

export function makeRandom(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const SCALED_COUNTERS = /^node_(disk|network)_/;

/**
 * Hosts replaying `capture` from time t0 at `intervalMs`. `host.next()` gives
 * the host's next derived samples and their time; call the hosts in time order
 * (pollOrder does).
 */
export function makeReplayFleet(capture, { hosts, t0, intervalMs = 5000, seed = 42 }) {
  const random = makeRandom(seed);
  const n = capture.length;
  const spanMs = capture[n - 1].t - capture[0].t + intervalMs;
  const firstMono = capture[0].monotonicSeconds ?? 0;
  const spanSeconds = (capture[n - 1].monotonicSeconds ?? 0) - firstMono + intervalMs / 1000;
  // Per frame and series: the capture's total increase, to continue counters across loops.
  const firstValues = new Map(capture[0].series.map((s) => [key(s), s.value]));
  const lastValues = new Map(capture[n - 1].series.map((s) => [key(s), s.value]));

  return Array.from({ length: hosts }, (_, h) => {
    const name = `host-${String(h).padStart(3, '0')}`;
    const start = Math.floor(random() * n);
    const scale = 4 ** (random() * 2 - 1);
    const phaseMs = Math.floor((h * intervalMs) / hosts);
    let poll = 0;
    let previous;
    return {
      name,
      /** Time of the host's next observation. */
      peekT() {
        return timeAt(poll);
      },
      /**
       * The host's next observation before derivation, with the index of the
       * capture frame it replays (for a bench that feeds that frame's text to
       * the console's own parser).
       */
      nextObservation() {
        const frame = (start + poll) % n;
        return { frame, observation: observationAt(poll++) };
      },
      next() {
        const obs = observationAt(poll++);
        const derived = deriveSamples(previous, obs, name);
        previous = obs;
        return { t: obs.t, samples: derived.samples };
      },
    };

    /** Time of poll p: relative to the host's first frame, continued over loops. */
    function timeAt(p) {
      const i = (start + p) % n;
      const loops = Math.floor((start + p) / n);
      return Math.round(t0 + phaseMs + capture[i].t + loops * spanMs - capture[start].t);
    }

    function observationAt(p) {
      const i = (start + p) % n;
      const loops = Math.floor((start + p) / n);
      const frame = capture[i];
      const t = timeAt(p);
      const mono = frame.monotonicSeconds === undefined ? undefined : sameDecimals(frame.monotonicSeconds + loops * spanSeconds, frame.monotonicSeconds);
      const series = frame.series.map((s) => {
        if (s.kind !== 'counter') return s;
        const k = key(s);
        const first = firstValues.get(k);
        const total = first === undefined ? 0 : (lastValues.get(k) ?? first) - first;
        let value = s.value + loops * total;
        if (SCALED_COUNTERS.test(s.name) && first !== undefined) value = first + scale * (value - first);
        // A counter read from text has as many decimals as the kernel prints (bytes none,
        // CPU seconds two): keep it so, not as float arithmetic left it.
        return { ...s, value: sameDecimals(value, s.value) };
      });
      return { ...frame, t, ...(mono === undefined ? {} : { monotonicSeconds: mono }), series };
    }
  });
}

/** x rounded to as many decimal places as `like` has (up to 6). */
function sameDecimals(x, like) {
  const places = decimalPlaces(like);
  const d = places < 0 || places > 6 ? 6 : places;
  return Math.round(x * 10 ** d) / 10 ** d;
}

function key(s) {
  return `${s.name}|${JSON.stringify(s.labels)}`;
}

/** Kind of a stored series for the reports: the unit of its metric ('other' when the catalogue has none). */
export function kindOf(name) {
  return metricInfo(name)?.unit ?? 'other';
}

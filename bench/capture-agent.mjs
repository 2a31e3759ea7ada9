// Records real agent output for the store benches: runs the shipped agent
// (agent/overlook-agent.sh) in paced mode exactly as the local source does
// (the console's pacer writes a request line every interval; frames are cut
// by the real frame splitter and stamped with the time they were received),
// and writes the frames to a brotli-compressed capture file.
//   npx tsc -p main/tsconfig.json
//   node bench/capture-agent.mjs [samples=360] [intervalSeconds=5] [out=bench/fixtures/agent-<hostname>.capture.br]
// bench/fixtures/agent-debian12-vm.capture.br is agent 5 on the 2-core
// Debian 12 VM, 60 samples at 5 s, while a test dockerd (dist-test's
// startTestDockerd) ran four busybox containers: one with a memory limit,
// swap limit, reservation, CPU shares and quota, one with a memory limit,
// one with a CPU quota, one with none.
//
// Capture format (after brotli): per frame one line `@@capture received_at_ms MS`
// followed by the frame as the agent printed it. Per-process files
// (/proc/PID/stat) are left out: the agent reads them only in its first two
// samples here (PROCESS_EVERY is set beyond the run), they feed the process
// table, not the history store, and they are most of a frame's bytes.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const { loadAgentScript } = await import(`${root}dist/main/core/sources/agent/agentScript.js`);
const { createFrameSplitter } = await import(`${root}dist/main/core/parse/frames.js`);
const { startAgentPacer, pacedAgentArgs } = await import(`${root}dist/main/core/sources/agent/pacer.js`);

const samples = Number(process.argv[2] ?? 360);
const intervalMs = Number(process.argv[3] ?? 5) * 1000;
const out = process.argv[4] ?? `${root}bench/fixtures/agent-${hostname()}.capture.br`;

/** Drops `==> /proc/PID/stat <==` files from a frame (see the header). */
export function withoutProcessFiles(frame) {
  const lines = frame.split('\n');
  const kept = [];
  let skipping = false;
  for (const line of lines) {
    if (line.startsWith('==> ')) skipping = /^==> .*\/\d+\/stat <==$/.test(line);
    else if (line.startsWith('@@')) skipping = false;
    if (!skipping) kept.push(line);
  }
  return kept.join('\n');
}

const child = spawn('sh', [loadAgentScript().path, ...pacedAgentArgs(samples + 10)], { stdio: ['pipe', 'pipe', 'inherit'] });
const splitter = createFrameSplitter();
const frames = [];
let dropped = 0;
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk) => {
  const receivedAt = Date.now();
  for (const item of splitter.push(chunk)) {
    if (item.kind === 'agent_process') continue; // paced mode names its process first
    if (item.kind !== 'frame') {
      dropped++;
      continue;
    }
    frames.push(`@@capture received_at_ms ${receivedAt}\n${withoutProcessFiles(item.text)}\n`);
    if (frames.length % 60 === 0) process.stderr.write(`${frames.length}/${samples} frames\n`);
    if (frames.length >= samples) finish();
  }
});
const pacer = startAgentPacer((line) => child.stdin.writable && child.stdin.write(line), { intervalMs });

function finish() {
  pacer.stop();
  child.stdin.end();
  const text = frames.join('');
  const packed = brotliCompressSync(Buffer.from(text), {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: text.length },
  });
  writeFileSync(out, packed);
  console.log(`${frames.length} frames (${dropped} dropped), ${(text.length / 1024).toFixed(0)} KiB of agent output → ${(packed.length / 1024).toFixed(1)} KiB in ${out}`);
}

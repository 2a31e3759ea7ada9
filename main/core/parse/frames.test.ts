import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createFrameSplitter, linesOf, printableSample, type SplitItem } from './frames.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const real = fixture('debian12-vm-dash-once.txt');
const truncated = fixture('handmade-truncated.txt');

function feedInChunks(text: string, sizes: number[]): SplitItem[] {
  const splitter = createFrameSplitter();
  const out: SplitItem[] = [];
  let i = 0;
  let k = 0;
  while (i < text.length) {
    const n = sizes[k++ % sizes.length]!;
    out.push(...splitter.push(text.slice(i, i + n)));
    i += n;
  }
  out.push(...splitter.end());
  return out;
}

describe('createFrameSplitter', () => {
  it('reassembles a real frame fed in chunks of any size', () => {
    for (const sizes of [[1], [7, 3, 1000], [real.length], [4096]]) {
      const items = feedInChunks(real, sizes);
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ kind: 'frame', version: '1', seq: 1, text: real });
    }
  });

  it('drops a truncated frame, counts it, and keeps the next one', () => {
    const splitter = createFrameSplitter();
    const items = [...splitter.push(truncated), ...splitter.push(real), ...splitter.end()];
    expect(items.map((i) => i.kind)).toEqual(['dropped', 'frame']);
    expect(items[0]).toMatchObject({ reason: expect.stringContaining('frame 7 truncated') });
    expect(splitter.dropped).toBe(1);
  });

  it('drops a frame whose end line belongs to another frame', () => {
    const splitter = createFrameSplitter();
    const items = splitter.push('@@overlook-agent 1 begin 3\nx\n@@overlook-agent 1 end 4\n');
    expect(items).toEqual([{ kind: 'dropped', reason: expect.stringContaining('frame 3 truncated') }]);
  });

  it('reports a frame cut off by the end of the stream', () => {
    const splitter = createFrameSplitter();
    expect(splitter.push(truncated)).toEqual([]);
    expect(splitter.end()).toEqual([{ kind: 'dropped', reason: 'frame 7 truncated: the stream ended inside it' }]);
  });

  it('counts stray output as one dropped run and passes agent errors through', () => {
    const splitter = createFrameSplitter();
    const items = splitter.push('motd line 1\nmotd line 2\n@@overlook-agent 1 error unsupported os: Darwin (no readable /proc/stat)\n');
    expect(items).toEqual([
      { kind: 'dropped', reason: '2 line(s) outside any frame', sample: 'motd line 1' },
      { kind: 'agent_error', version: '1', message: 'unsupported os: Darwin (no readable /proc/stat)', text: expect.any(String) },
    ]);
  });

  it('passes the agent\'s process line through, outside a frame only', () => {
    const splitter = createFrameSplitter();
    const small = '@@overlook-agent 4 begin 1\n@@overlook-agent 4 pid 99 12345\n@@overlook-agent 4 end 1\n';
    expect(splitter.push('@@overlook-agent 4 pid 4242 8812345\n')).toEqual([{ kind: 'agent_process', version: '4', pid: 4242, startTime: '8812345' }]);
    // Inside a frame it is file content (a process may name itself anything), not a new agent.
    expect(splitter.push(small)).toEqual([{ kind: 'frame', version: '4', seq: 1, text: small }]);
    expect(splitter.push('@@overlook-agent 4 pid x 1\n')).toEqual([{ kind: 'dropped', reason: '1 line(s) outside any frame', sample: '@@overlook-agent 4 pid x 1' }]);
  });

  it('drops an oversized frame and resynchronises on the next begin line', () => {
    const splitter = createFrameSplitter({ maxFrameBytes: 1000 });
    const items = splitter.push(real);
    expect(items).toEqual([{ kind: 'dropped', reason: 'frame 1 exceeds 1000 bytes' }]);
    const small = '@@overlook-agent 1 begin 9\nhello\n@@overlook-agent 1 end 9\n';
    expect(splitter.push(small)).toEqual([{ kind: 'frame', version: '1', seq: 9, text: small }]);
  });

  it('accepts CRLF line ends', () => {
    const splitter = createFrameSplitter();
    const items = splitter.push('@@overlook-agent 1 begin 2\r\nabc\r\n@@overlook-agent 1 end 2\r\n');
    expect(items).toEqual([{ kind: 'frame', version: '1', seq: 2, text: '@@overlook-agent 1 begin 2\nabc\n@@overlook-agent 1 end 2\n' }]);
  });

  it('drops an endless line as it arrives, keeping at most the line cap, and resynchronises after it', () => {
    const splitter = createFrameSplitter({ maxLineBytes: 4096 });
    const chunk = 'x'.repeat(64 * 1024);
    const seen = [...splitter.push('@@overlook-agent 1 begin 3\nMemTotal: 1 kB\n')];
    // 64 MiB of one line in 64 KiB chunks: dropped once, never buffered.
    for (let i = 0; i < 1024; i++) seen.push(...splitter.push(chunk));
    expect(seen).toEqual([{ kind: 'dropped', reason: 'frame 3 has a line longer than 4096 bytes' }]);
    const small = '@@overlook-agent 1 begin 4\nhello\n@@overlook-agent 1 end 4\n';
    expect(splitter.push('\n' + small)).toEqual([{ kind: 'frame', version: '1', seq: 4, text: small }]);
    // Outside a frame: dropped with what it started with, in printable form.
    expect(splitter.push('\u0000\u0001PNG' + 'y'.repeat(5000))).toEqual([
      { kind: 'dropped', reason: 'a line longer than 4096 bytes outside any frame', sample: '\\x00\\x01PNG' + 'y'.repeat(55) + '…' },
    ]);
  });

  it('reads versions and sequence numbers of any length, and takes a marker with anything after it for content', () => {
    const splitter = createFrameSplitter();
    const frame = '@@overlook-agent 12 begin 1234\n@@overlook-agent 12 begin 1234 not a marker\n@@overlook-agent 12 end 1234 nor this\n@@overlook-agent 12 hello\n@@overlook-agent 12 end 1234\n';
    expect(splitter.push(frame)).toEqual([{ kind: 'frame', version: '12', seq: 1234, text: frame }]);
    expect(splitter.push('@@overlook-agent 12 error no /proc\n')).toEqual([{ kind: 'agent_error', version: '12', message: 'no /proc', text: '@@overlook-agent 12 error no /proc' }]);
  });

  it('takes only the end line of the same version and sequence as the end of a frame', () => {
    const splitter = createFrameSplitter();
    expect(splitter.push('@@overlook-agent 1 begin 3\nx\n@@overlook-agent 2 end 3\n')).toEqual([{ kind: 'dropped', reason: 'frame 3 truncated: ended by the end line of frame 3' }]);
    expect(splitter.dropped).toBe(1);
  });

  it('reports stray output as soon as it arrives, counts a lone end line as stray, and ignores blank lines', () => {
    const splitter = createFrameSplitter();
    expect(splitter.push('\n   \n\t\n')).toEqual([]);
    expect(splitter.push('Last login: yesterday\n')).toEqual([{ kind: 'dropped', reason: '1 line(s) outside any frame', sample: 'Last login: yesterday' }]);
    expect(splitter.push('@@overlook-agent 1 end 5\n')).toEqual([{ kind: 'dropped', reason: '1 line(s) outside any frame', sample: '@@overlook-agent 1 end 5' }]);
    expect(splitter.dropped).toBe(2);
  });

  it('drops the frame the agent reported an error in, saying so', () => {
    const splitter = createFrameSplitter();
    expect(splitter.push('@@overlook-agent 1 begin 3\nx\n@@overlook-agent 1 error out of memory\n')).toEqual([
      { kind: 'dropped', reason: 'frame 3 truncated: the agent reported an error' },
      { kind: 'agent_error', version: '1', message: 'out of memory', text: '@@overlook-agent 1 error out of memory' },
    ]);
  });

  it('counts a frame\'s bytes as the agent wrote them: one exactly at the limit passes, one byte more is dropped', () => {
    const frame = '@@overlook-agent 1 begin 4\nabc\nde\n@@overlook-agent 1 end 4\n';
    // The begin line, then each content line with its newline.
    const size = '@@overlook-agent 1 begin 4'.length + 'abc\n'.length + 'de\n'.length;
    expect(createFrameSplitter({ maxFrameBytes: size }).push(frame)).toEqual([{ kind: 'frame', version: '1', seq: 4, text: frame }]);
    expect(createFrameSplitter({ maxFrameBytes: size - 1 }).push(frame)).toEqual([{ kind: 'dropped', reason: `frame 4 exceeds ${size - 1} bytes` }]);
  });

  it('after an oversized frame, skips to its end line quietly, then counts stray output again', () => {
    const splitter = createFrameSplitter({ maxFrameBytes: 30 });
    const items = splitter.push('@@overlook-agent 1 begin 1\nlong enough to pass the limit\nrest of the frame\n@@overlook-agent 1 end 1\nstray\n');
    expect(items).toEqual([
      { kind: 'dropped', reason: 'frame 1 exceeds 30 bytes' },
      { kind: 'dropped', reason: '1 line(s) outside any frame', sample: 'stray' },
    ]);
    // A new frame after an oversized one is read whole, and stray output after it is counted.
    const next = splitter.push('@@overlook-agent 1 begin 2\nok\n@@overlook-agent 1 end 2\nstray again\n');
    expect(next.map((i) => i.kind)).toEqual(['frame', 'dropped']);
  });

  it('drops a line longer than the frame limit (a smaller line limit than the default) as it arrives, inside a frame or outside', () => {
    const inside = createFrameSplitter({ maxFrameBytes: 100 });
    expect(inside.push('@@overlook-agent 1 begin 1\n')).toEqual([]);
    // A line exactly at the limit is still read; one byte more is dropped at once, without its newline.
    expect(inside.push('x'.repeat(100))).toEqual([]);
    expect(inside.push('x')).toEqual([{ kind: 'dropped', reason: 'frame 1 has a line longer than 100 bytes' }]);
    // The rest of that frame is skipped up to its end line; the next frame is whole.
    expect(inside.push('more\n@@overlook-agent 1 end 1\n@@overlook-agent 1 begin 2\nok\n@@overlook-agent 1 end 2\n').map((i) => i.kind)).toEqual(['frame']);
    const outside = createFrameSplitter({ maxFrameBytes: 100 });
    expect(outside.push('y'.repeat(101))).toEqual([{ kind: 'dropped', reason: 'a line longer than 100 bytes outside any frame', sample: `${'y'.repeat(60)}…` }]);
    expect(outside.end()).toEqual([]);
  });

  it('takes a process line only whole: any version, exactly two numbers', () => {
    expect(createFrameSplitter().push('@@overlook-agent 12 pid 7 99\n')).toEqual([{ kind: 'agent_process', version: '12', pid: 7, startTime: '99' }]);
    expect(createFrameSplitter().push('@@overlook-agent 1 pid 7 99 extra\n')).toEqual([{ kind: 'dropped', reason: '1 line(s) outside any frame', sample: '@@overlook-agent 1 pid 7 99 extra' }]);
  });

  it('counts a line too long outside any frame as one dropped run', () => {
    const splitter = createFrameSplitter({ maxLineBytes: 10 });
    splitter.push('y'.repeat(11));
    expect(splitter.dropped).toBe(1);
  });

  it('completes a frame whose end line arrives without a newline when the stream ends', () => {
    const splitter = createFrameSplitter();
    expect(splitter.push('@@overlook-agent 1 begin 6\nx\n@@overlook-agent 1 end 6')).toEqual([]);
    expect(splitter.end()).toEqual([{ kind: 'frame', version: '1', seq: 6, text: '@@overlook-agent 1 begin 6\nx\n@@overlook-agent 1 end 6\n' }]);
    expect(splitter.end()).toEqual([]);
  });
});

describe('linesOf', () => {
  it('splits a file\'s content into lines, a trailing newline ending the last one', () => {
    expect(linesOf('')).toEqual([]);
    expect(linesOf('a\nb\n')).toEqual(['a', 'b']);
    expect(linesOf('a\nb')).toEqual(['a', 'b']);
    expect(linesOf('\na\n')).toEqual(['', 'a']);
    expect(linesOf('\n')).toEqual(['']);
  });
});

describe('printableSample', () => {
  it('keeps printable ASCII, spells tabs, control bytes and other characters, and marks a cut', () => {
    expect(printableSample('a\tb\u0001\u007f~\u00e9\u4e2d')).toBe('a\\tb\\x01\\x7f~\\xe9\\u4e2d');
    expect(printableSample('x'.repeat(60))).toBe('x'.repeat(60));
    expect(printableSample('x'.repeat(61))).toBe(`${'x'.repeat(60)}…`);
  });
});

// Splits the agent's output stream (local pipe or SSH channel, in chunks of
// any size) into whole frames. A frame runs from its begin line to the end
// line with the same sequence number; anything else is counted and dropped,
// never thrown: a truncated frame (the agent died, the channel broke) must not
// take the stream down with it.

/** Every line the agent writes for framing starts with this. */
export const AGENT_MARKER = '@@overlook-agent';

/** The lines of one file's content as a frame carried it (a trailing newline ends the last line, it does not start another). */
export function linesOf(content: string): string[] {
  if (content === '') return [];
  return (content.endsWith('\n') ? content.slice(0, -1) : content).split('\n');
}

const BEGIN = /^@@overlook-agent (\S+) begin (\d+)$/;
const END = /^@@overlook-agent (\S+) end (\d+)$/;
const ERROR = /^@@overlook-agent (\S+) error (.*)$/;
const PID = /^@@overlook-agent (\S+) pid (\d{1,10}) (\d{1,20})$/;

export type SplitItem =
  /** A whole frame, begin and end lines included: hand it to parseAgentFrame. */
  | { readonly kind: 'frame'; readonly version: string; readonly seq: number; readonly text: string }
  /** The agent's one-line fatal report (`unsupported os: Darwin`, usage errors). */
  | { readonly kind: 'agent_error'; readonly version: string; readonly message: string; readonly text: string }
  /** Which process the agent is (paced mode's first line): its pid and its start time in clock ticks after boot. */
  | { readonly kind: 'agent_process'; readonly version: string; readonly pid: number; readonly startTime: string }
  /** Output that is not part of a whole frame: a truncated frame, stray lines, an oversized frame. */
  | { readonly kind: 'dropped'; readonly reason: string; readonly sample?: string };

export interface FrameSplitter {
  /** Feed the next chunk; returns the items it completed. */
  push(chunk: string): SplitItem[];
  /** The stream ended: whatever is half-read is reported as dropped. */
  end(): SplitItem[];
  /** How many frames or stray runs were dropped so far. */
  readonly dropped: number;
}

export interface FrameSplitterOptions {
  /** A frame larger than this is dropped (a runaway process list, or not our agent at all). */
  readonly maxFrameBytes?: number;
  /** A line longer than this is dropped as it arrives, without being kept (default 1 MiB). */
  readonly maxLineBytes?: number;
}

/**
 * The longest line a frame can carry: the agent prints /proc and /sys files
 * as they are, and their longest lines (/proc/stat's `intr` with thousands
 * of interrupt counters, a process's command line, capped by the kernel at a
 * page in /proc/PID/stat's comm but not in cmdline) stay far below this.
 */
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

/** Up to 60 characters of output as printable ASCII (\xNN for the rest), for a status line or a log. */
export function printableSample(text: string, max = 60): string {
  let out = '';
  for (const ch of text.slice(0, max)) {
    const code = ch.charCodeAt(0);
    out += code >= 0x20 && code < 0x7f ? ch : ch === '\t' ? '\\t' : code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  }
  return text.length > max ? `${out}…` : out;
}

export function createFrameSplitter(options: FrameSplitterOptions = {}): FrameSplitter {
  const maxFrameBytes = options.maxFrameBytes ?? 16 * 1024 * 1024;
  const maxLineBytes = Math.min(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, maxFrameBytes);
  // The start of the current line (never longer than maxLineBytes), and whether
  // the current line was already dropped as too long: its rest is skipped, not kept.
  let partial = '';
  let skippingLine = false;
  let frame: { version: string; seq: number; lines: string[]; bytes: number } | undefined;
  let skippingOversized = false;
  let strayLines = 0;
  let straySample: string | undefined;
  let dropped = 0;

  const flushStray = (out: SplitItem[]) => {
    if (strayLines > 0) {
      out.push({ kind: 'dropped', reason: `${strayLines} line(s) outside any frame`, ...(straySample !== undefined ? { sample: straySample } : {}) });
      dropped++;
      strayLines = 0;
      straySample = undefined;
    }
  };

  const stray = (text: string) => {
    strayLines++;
    straySample ??= printableSample(text);
  };

  const dropFrame = (out: SplitItem[], why: string) => {
    if (!frame) return;
    out.push({ kind: 'dropped', reason: `frame ${frame.seq} ${why}` });
    dropped++;
    frame = undefined;
  };

  const line = (text: string, out: SplitItem[]) => {
    if (text.startsWith(AGENT_MARKER)) {
      const begin = BEGIN.exec(text);
      if (begin) {
        flushStray(out);
        dropFrame(out, 'truncated: a new frame began before its end line');
        skippingOversized = false;
        frame = { version: begin[1]!, seq: Number(begin[2]), lines: [text], bytes: text.length };
        return;
      }
      const end = END.exec(text);
      if (end) {
        if (!frame) {
          if (skippingOversized) skippingOversized = false;
          else stray(text);
          return;
        }
        if (Number(end[2]) !== frame.seq || end[1] !== frame.version) {
          dropFrame(out, `truncated: ended by the end line of frame ${end[2]}`);
          return;
        }
        frame.lines.push(text);
        out.push({ kind: 'frame', version: frame.version, seq: frame.seq, text: frame.lines.join('\n') + '\n' });
        frame = undefined;
        return;
      }
      const pid = frame ? null : PID.exec(text);
      if (pid) {
        flushStray(out);
        out.push({ kind: 'agent_process', version: pid[1]!, pid: Number(pid[2]), startTime: pid[3]! });
        return;
      }
      const error = ERROR.exec(text);
      if (error) {
        flushStray(out);
        dropFrame(out, 'truncated: the agent reported an error');
        out.push({ kind: 'agent_error', version: error[1]!, message: error[2]!, text });
        return;
      }
    }
    if (frame) {
      frame.bytes += text.length + 1;
      if (frame.bytes > maxFrameBytes) {
        dropFrame(out, `exceeds ${maxFrameBytes} bytes`);
        skippingOversized = true;
        return;
      }
      frame.lines.push(text);
    } else if (!skippingOversized && text.trim() !== '') {
      stray(text);
    }
  };

  /** The current line grew past maxLineBytes: drop it (and its frame) now, and skip the rest of it as it comes. */
  const lineTooLong = (out: SplitItem[]) => {
    const start = partial;
    partial = '';
    skippingLine = true;
    if (frame) {
      dropFrame(out, `has a line longer than ${maxLineBytes} bytes`);
      skippingOversized = true;
    } else {
      out.push({ kind: 'dropped', reason: `a line longer than ${maxLineBytes} bytes outside any frame`, sample: printableSample(start) });
      dropped++;
    }
  };

  return {
    push(chunk: string): SplitItem[] {
      const out: SplitItem[] = [];
      // Only the new chunk is searched for line ends: a long line costs its length once, not once per chunk.
      let start = 0;
      let nl = chunk.indexOf('\n');
      while (nl >= 0) {
        if (skippingLine) skippingLine = false;
        else {
          const text = partial + chunk.slice(start, nl);
          partial = '';
          line(text.endsWith('\r') ? text.slice(0, -1) : text, out);
        }
        start = nl + 1;
        nl = chunk.indexOf('\n', start);
      }
      if (!skippingLine && start < chunk.length) {
        partial += chunk.slice(start);
        if (partial.length > maxLineBytes) lineTooLong(out);
      }
      if (!frame) flushStray(out);
      return out;
    },
    end(): SplitItem[] {
      const out: SplitItem[] = [];
      if (partial !== '') {
        line(partial, out);
        partial = '';
      }
      skippingLine = false;
      dropFrame(out, 'truncated: the stream ended inside it');
      flushStray(out);
      return out;
    },
    get dropped() {
      return dropped;
    },
  };
}

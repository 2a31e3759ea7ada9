// Splitter + parser in one: what a source (local pipe, SSH channel) feeds
// its chunks to. Dropped output comes back as `invalid` results, so the
// source can count it and show it in the host's status.
import { createFrameSplitter, type FrameSplitterOptions, type SplitItem } from './frames.js';
import { parseAgentFrame, type ParseResult, type SlowFiles } from './agentFrame.js';

export interface AgentDecoder {
  /** Feed the next chunk of agent output, received at `receivedAtMs`. */
  push(chunk: string, receivedAtMs: number): ParseResult[];
  /** The stream ended; reports a half-received frame. */
  end(receivedAtMs: number): ParseResult[];
}

export function createAgentDecoder(options: FrameSplitterOptions = {}): AgentDecoder {
  const splitter = createFrameSplitter(options);
  // The slow-changing files of the latest frame that had them (see SlowFiles).
  let slow: SlowFiles | undefined;
  const decode = (items: SplitItem[], receivedAtMs: number): ParseResult[] =>
    items.map((item) => {
      switch (item.kind) {
        case 'frame':
        case 'agent_error': {
          const result = parseAgentFrame(item.text, receivedAtMs, slow);
          if (result.kind === 'observation' && result.slowFiles) slow = result.slowFiles;
          return result;
        }
        case 'dropped':
          return { kind: 'invalid', problem: item.reason, ...(item.sample !== undefined ? { sample: item.sample } : {}) };
        case 'agent_process':
          return { kind: 'agent_process', pid: item.pid, startTime: item.startTime };
      }
    });
  return {
    push: (chunk, receivedAtMs) => decode(splitter.push(chunk), receivedAtMs),
    end: (receivedAtMs) => decode(splitter.end(), receivedAtMs),
  };
}

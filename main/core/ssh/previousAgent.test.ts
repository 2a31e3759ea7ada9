// The command that ends an earlier session's agent, run for real under dash,
// bash and busybox ash against a real paced agent: it ends that process, and
// only that one (a pid now held by another process, or a process that is
// gone, is left alone).
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadAgentScript } from '../sources/agent/agentScript.js';
import { createFrameSplitter } from '../parse/frames.js';
import { END_AGENT_SCRIPT, endPreviousAgentCommand } from './previousAgent.js';

const SHELLS: ReadonlyArray<readonly string[]> = [['dash'], ['bash'], ['busybox', 'ash']];

async function startPacedAgent(shell: readonly string[]) {
  const child = spawn(shell[0]!, [...shell.slice(1), loadAgentScript().path, 'paced', '1'], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
  const splitter = createFrameSplitter();
  const named = await new Promise<{ pid: number; startTime: string }>((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      for (const item of splitter.push(chunk)) if (item.kind === 'agent_process') resolve(item);
    });
    child.on('exit', () => reject(new Error('the agent exited before naming itself')));
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  return { child, named, exited };
}

const end = (shell: readonly string[], pid: number | string, startTime: string) =>
  spawnSync(shell[0]!, [...shell.slice(1), '-c', END_AGENT_SCRIPT, 'overlook-end-agent', String(pid), startTime], { encoding: 'utf8' }).stdout.trim();

describe.each(SHELLS)('ending an earlier agent under %s', (...shell) => {
  it('ends the agent that named itself, and nothing else', async () => {
    const { child, named, exited } = await startPacedAgent(shell);
    try {
      expect(named.pid).toBe(child.pid);
      // Same pid, another start time: a process that reused the pid. Left alone.
      expect(end(shell, named.pid, String(Number(named.startTime) + 1))).toBe('other');
      expect(child.exitCode).toBeNull();
      // The agent itself: ended at once, though it waits on an open, silent stdin.
      expect(end(shell, named.pid, named.startTime)).toBe('ended');
      expect(await exited).toBe(0);
      expect(end(shell, named.pid, named.startTime)).toBe('gone');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('endPreviousAgentCommand', () => {
  it('passes the pid and start time as arguments and refuses anything but numbers', () => {
    expect(endPreviousAgentCommand({ pid: 4242, startTime: '8812345' })).toBe(`sh -c '${END_AGENT_SCRIPT}' overlook-end-agent 4242 8812345`);
    expect(END_AGENT_SCRIPT).not.toContain("'");
    expect(() => endPreviousAgentCommand({ pid: 1, startTime: '5' })).toThrow('not an agent process');
    expect(() => endPreviousAgentCommand({ pid: 42, startTime: '5; rm -rf ~' })).toThrow('not an agent process');
  });
});

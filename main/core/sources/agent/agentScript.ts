// The agent script as the core ships it: its text (uploaded to SSH hosts),
// version (read from the script, so there is one place to bump it) and
// SHA-256 (deployments are verified against it).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const AGENT_RELATIVE_PATH = join('agent', 'overlook-agent.sh');

export interface AgentScript {
  readonly path: string;
  readonly text: string;
  readonly version: string;
  readonly sha256: string;
}

/**
 * Walks up from this module to the directory holding agent/overlook-agent.sh,
 * so the same code finds it from main/core/agent/*.ts (tests) and from
 * dist/main/core/agent/*.js (builds), and from an unpacked app resource.
 */
export function findAgentScript(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, AGENT_RELATIVE_PATH);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${AGENT_RELATIVE_PATH} in ${from} or any directory above it`);
    dir = parent;
  }
}

let cached: AgentScript | undefined;

export function loadAgentScript(): AgentScript {
  if (cached) return cached;
  const path = findAgentScript();
  const bytes = readFileSync(path);
  const text = bytes.toString('utf8');
  const version = /^AGENT_VERSION=(\S+)$/m.exec(text)?.[1];
  if (!version) throw new Error(`${path} has no AGENT_VERSION= line`);
  cached = { path, text, version, sha256: createHash('sha256').update(bytes).digest('hex') };
  return cached;
}

// The agent script as the core ships it: its text (uploaded to SSH hosts),
// version (read from the script, so there is one place to bump it) and
// SHA-256 (deployments are verified against it).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot, resolveAppFile } from '../../appFiles.js';

export const AGENT_RELATIVE_PATH = join('agent', 'overlook-agent.sh');

export interface AgentScript {
  readonly path: string;
  readonly text: string;
  readonly version: string;
  readonly sha256: string;
}

/**
 * The agent as `sh` is given it: under the package root in a checkout, the
 * unpacked copy beside app.asar in the packaged app (appFiles.ts says why).
 * Its text is read from the same file, so the checksum is that of what runs.
 */
export function findAgentScript(root: string = appRoot()): string {
  return resolveAppFile(root, AGENT_RELATIVE_PATH, 'exec');
}

let cached: AgentScript | undefined;

export function loadAgentScript(): AgentScript {
  if (cached) return cached;
  const path = findAgentScript();
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read the agent script ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const text = bytes.toString('utf8');
  const version = /^AGENT_VERSION=(\S+)$/m.exec(text)?.[1];
  if (!version) throw new Error(`${path} has no AGENT_VERSION= line`);
  cached = { path, text, version, sha256: createHash('sha256').update(bytes).digest('hex') };
  return cached;
}

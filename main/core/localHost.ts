// Which source watches "local", the machine the console runs on: on Linux the
// same agent script as remote hosts (one parser, the same series); elsewhere
// (macOS, Windows: no /proc) the built-in collector over `systeminformation`
// (issue 10). Decided here, once.
import { createLocalAgentSource } from './sources/agent/localAgent.js';
import type { Logger } from './log.js';
import { createSystemCollector } from './sources/system/systemCollector.js';
import type { HostSource } from './model/hostSource.js';

export function createLocalSource(options: {
  intervalMs: number;
  log: Logger;
  platform?: NodeJS.Platform;
  /** The container engine socket to ask for names (issue 4); by default the first the agent finds this user may open. */
  engineSocket?: string;
}): HostSource {
  const platform = options.platform ?? process.platform;
  if (platform === 'linux') {
    return createLocalAgentSource({ intervalMs: options.intervalMs, engine: options.engineSocket ? { socketPath: options.engineSocket } : {} });
  }
  return createSystemCollector({ intervalMs: options.intervalMs, log: options.log });
}

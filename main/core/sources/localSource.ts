// Which source watches "local", the machine the console runs on: on Linux the
// same agent script as remote hosts (one parser, the same series); elsewhere
// a built-in collector (issue 10). Decided here, once.
import { createLocalAgentSource } from '../agent/localAgentSource.js';
import type { Logger } from '../log.js';
import type { HostSource } from './types.js';

export function createLocalSource(options: { intervalMs: number; log: Logger; platform?: NodeJS.Platform }): HostSource {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') {
    options.log.warn(`the local host on ${platform} is read by the agent, which needs /proc; the built-in collector for ${platform} is not built yet`);
  }
  return createLocalAgentSource({ intervalMs: options.intervalMs });
}

// Which source watches "local", the machine the console runs on: on Linux the
// same agent script as remote hosts (one parser, the same series), with the
// local container engine for names; elsewhere (macOS, Windows: no /proc) the
// built-in collector over `systeminformation`. Decided here, once.
import { ContainerTracker } from './containers/containerTracker.js';
import { localEngineConnector, type LocalEngineOptions } from './containers/localEngine.js';
import type { Logger } from './log.js';
import type { HostSource } from './model/hostSource.js';
import { createLocalAgentSource, type LocalAgentOptions } from './sources/agent/localAgent.js';
import { createSystemCollector } from './sources/system/systemCollector.js';

export interface LocalAgentHostOptions extends Omit<LocalAgentOptions, 'enricher' | 'engineSocket'> {
  /** The container engine's socket; false leaves names out (containers named by id). */
  readonly engine?: LocalEngineOptions | false;
}

/**
 * The agent on this machine with a container tracker: names from the local
 * engine, and the containers' init pids carried between samples so their
 * network is read even without an engine.
 */
export function createLocalAgentHost(options: LocalAgentHostOptions): HostSource {
  const { engine, ...agent } = options;
  const tracker = new ContainerTracker({
    ...(engine !== false ? { connector: localEngineConnector(engine ?? {}) } : {}),
    ...(engine && engine.refreshMs ? { refreshMs: engine.refreshMs } : {}),
    hostName: 'local',
  });
  return createLocalAgentSource({ ...agent, enricher: tracker, ...(engine && engine.socketPath ? { engineSocket: engine.socketPath } : {}) });
}

export function createLocalSource(options: {
  intervalMs: number;
  log: Logger;
  platform?: NodeJS.Platform;
  /** The container engine socket to ask for names; by default the first the agent finds this user may open. */
  engineSocket?: string;
}): HostSource {
  const platform = options.platform ?? process.platform;
  if (platform === 'linux') {
    return createLocalAgentHost({ intervalMs: options.intervalMs, engine: options.engineSocket ? { socketPath: options.engineSocket } : {} });
  }
  return createSystemCollector({ intervalMs: options.intervalMs, log: options.log });
}

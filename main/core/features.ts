// The core's features, listed once for every shell (Electron, `overlook
// serve`): each brings its own handlers; createCore checks that every request
// of the contract is answered by exactly one of them.
import type { CoreContext, CoreFeature } from './coreContext.js';
import { createAlertsFeature, type AlertsFeatureOptions } from './alerts/feature.js';
import { createExportFeature } from './export/feature.js';
import { fleetFeature } from './fleet/feature.js';
import { processHistoryFeature } from './processes/feature.js';
import { topKFeature } from './topk/feature.js';
import { createSshFeature } from './ssh/feature.js';
import { containersFeature } from './containers/feature.js';
import { createCloudsFeature } from './cloud/feature.js';
import { createRemoteWriteFeature } from './remoteWrite/feature.js';
import { createScrapeTargetsFeature } from './scrapeTargets/feature.js';
import { createPushReceiverFeature } from './pushReceiver/feature.js';
import { createChecksFeature } from './checks/feature.js';
import { createAnomaliesFeature } from './anomalies/feature.js';

export interface DefaultFeatureOptions {
  /** `--metrics-listen host:port`: enables the /metrics exporter at that address. */
  readonly metricsListen?: string;
  /** `--remote-write-listen host:port`: enables the remote-write receiver at that address. */
  readonly remoteWriteListen?: string;
  /** The shell's desktop popup for alerts (Electron's Notification); headless leaves it out and the UI shows a toast. */
  readonly notify?: AlertsFeatureOptions['notify'];
}

export function defaultFeatures(options: DefaultFeatureOptions = {}): ((ctx: CoreContext) => CoreFeature)[] {
  return [
    // Alert rules, states, silences, notifications.
    createAlertsFeature({ notify: options.notify }),
    createExportFeature({ listen: options.metricsListen }),
    // Top-K, the process history, status annotations and history-only hosts.
    topKFeature,
    processHistoryFeature,
    fleetFeature,
    // Remote hosts over SSH (UI-added hosts, the provisioning file's hosts:, host keys).
    createSshFeature(),
    // Hosts watched through their node_exporter (and cAdvisor), from the UI or the file's `hosts:`.
    createScrapeTargetsFeature(),
    // Hosts that push Prometheus remote write (off by default; its own listener, a token required).
    createPushReceiverFeature({ listen: options.remoteWriteListen }),
    // Containers per host (cgroups from the agent, names from the engine).
    containersFeature,
    // Cloud accounts (Alibaba CMS, Tencent Monitor, Huawei CES), collected under each API's quota.
    createCloudsFeature(),
    // Service checks (HTTP, TCP, TLS) from the console and through SSH hosts.
    createChecksFeature(),
    // Remote write to the engines a team runs, from the store's durable outbox.
    createRemoteWriteFeature(),
    // Each series' learned normal, anomaly scores and rates, "what happened here?".
    createAnomaliesFeature(),
  ];
}

// The provisioning file's `anomalies:` section: whether the console learns
// baselines, how sensitive its verdicts are, and which families learn.
//   anomalies:
//     enabled: true
//     sensitivity: medium        # low | medium | high
//     families: [host, container, cloud, check]
// Fields it sets are read-only in the UI (AnomalyStatus.provisioned).
import { z } from 'zod';
import { AnomalyFamily, AnomalySensitivity, type AnomalySettings } from '../../common/anomalies.js';
import { wholeSection } from '../config/provisioning.js';

const AnomaliesInFile = z.strictObject({
  enabled: z.boolean().optional(),
  sensitivity: AnomalySensitivity.optional(),
  families: z.array(AnomalyFamily).min(1).max(4).optional(),
});

export type ProvisionedAnomalies = Partial<AnomalySettings>;

export const anomaliesSection = wholeSection<ProvisionedAnomalies>(
  'anomalies',
  AnomaliesInFile.transform((f) => ({
    ...(f.enabled === undefined ? {} : { enabled: f.enabled }),
    ...(f.sensitivity === undefined ? {} : { sensitivity: f.sensitivity }),
    ...(f.families === undefined ? {} : { families: [...new Set(f.families)] }),
  })),
  () => ({}),
);

// For tests and benches: one emulated account per cloud, with the options a
// collector needs to reach it through the real SDKs.
import type { CloudProvider } from '../common/clouds.js';
import { startAliyunCmsEmulator } from './cloudEmulators/aliyunCmsEmulator.js';
import { defaultRegion, type FleetOptions } from './cloudEmulators/emulatedFleet.js';
import type { RunningEmulator } from './cloudEmulators/emulatorServer.js';
import { startHuaweiCesEmulator } from './cloudEmulators/huaweiCesEmulator.js';
import { startTencentMonitorEmulator } from './cloudEmulators/tencentMonitorEmulator.js';
import type { CloudAccountConfig } from '../core/cloud/collector/types.js';

export const TEST_KEYS: Readonly<Record<CloudProvider, { id: string; secret: string }>> = {
  aliyun: { id: 'LTAI5tEmulatorKey', secret: 'emulator-secret-aliyun' },
  tencent: { id: 'AKIDemulator0000000000', secret: 'emulator-secret-tencent' },
  huawei: { id: 'HPUAEMULATORKEY0000', secret: 'emulator-secret-huawei' },
};

export function testProjectId(regionIndex: number): string {
  return `0f1e2d3c4b5a69788796a5b4c3d2e1f${regionIndex}`;
}

export interface EmulatedCloudOptions extends FleetOptions {
  qps?: number;
  dataDelayMs?: number;
  now?: () => number;
  defaultPageLength?: number;
}

export interface EmulatedCloud {
  readonly emulator: RunningEmulator;
  /** A complete account for the emulator (merge overrides in). */
  readonly account: CloudAccountConfig;
}

export async function startEmulatedCloud(provider: CloudProvider, name: string, options: EmulatedCloudOptions): Promise<EmulatedCloud> {
  const regions = options.regions ?? [defaultRegion(provider)];
  const key = TEST_KEYS[provider];
  let emulator: RunningEmulator;
  if (provider === 'aliyun') emulator = await startAliyunCmsEmulator({ ...options, regions, accessKeyId: key.id, accessKeySecret: key.secret });
  else if (provider === 'tencent') emulator = await startTencentMonitorEmulator({ ...options, regions, secretId: key.id, secretKey: key.secret });
  else {
    const projectIds = Object.fromEntries(regions.map((r, i) => [r, testProjectId(i)]));
    emulator = await startHuaweiCesEmulator({ ...options, regions, accessKey: key.id, secretKey: key.secret, projectId: testProjectId(0), projectIds });
  }
  const account: CloudAccountConfig = {
    name,
    provider,
    regions,
    accessKeyId: key.id,
    accessKeySecret: key.secret,
    endpoint: emulator.endpoint,
    ...(provider === 'huawei' ? { projectIds: Object.fromEntries(regions.map((r, i) => [r, testProjectId(i)])) } : {}),
  };
  return { emulator, account };
}

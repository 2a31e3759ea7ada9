// The adapter of each cloud, picked in one place.
import type { CloudProvider } from '../../../common/clouds.js';
import { createAliyunAdapter } from './aliyun.js';
import { createHuaweiAdapter } from './huawei.js';
import type { ProviderFactory } from './provider.js';
import { createTencentAdapter } from './tencent.js';

export const PROVIDER_ADAPTERS: Readonly<Record<CloudProvider, ProviderFactory>> = {
  aliyun: createAliyunAdapter,
  tencent: createTencentAdapter,
  huawei: createHuaweiAdapter,
};

import { describe, expect, it } from 'vitest';
import { cloudInstanceState, cloudRuleWindowMs } from './clouds.js';

describe('cloudRuleWindowMs', () => {
  const account = (name: string, provider: 'aliyun' | 'huawei', delaySeconds: number, intervalSeconds = 60, periodSeconds = 60) => ({ name, provider, delaySeconds, intervalSeconds, periodSeconds });
  it('covers the delay, the collection interval and the period of the accounts the selector matches', () => {
    const accounts = [account('prod', 'aliyun', 120), account('eu', 'huawei', 180, 300)];
    expect(cloudRuleWindowMs(accounts, (l) => l.account === 'prod')).toBe(6 * 60_000); // 120 + 60 + 180 s
    expect(cloudRuleWindowMs(accounts)).toBe(11 * 60_000); // 180 + 300 + 180 s
    expect(cloudRuleWindowMs(accounts, (l) => l.cloud === 'tencent')).toBe(7 * 60_000); // no such account: the defaults
    expect(cloudRuleWindowMs([account('slow', 'aliyun', 90, 60, 300)])).toBe(18 * 60_000); // 90 + 60 + 900 s → whole minutes
  });
});

describe('cloudInstanceState', () => {
  it('reads each cloud’s own state words as one set', () => {
    expect(['Running', 'RUNNING', 'ACTIVE'].map(cloudInstanceState)).toEqual(['running', 'running', 'running']);
    expect(['Stopped', 'SHUTOFF', 'SHUTDOWN'].map(cloudInstanceState)).toEqual(['stopped', 'stopped', 'stopped']);
    expect(['LAUNCH_FAILED', 'ERROR', 'HARD_REBOOT', 'VERIFY_RESIZE'].map(cloudInstanceState)).toEqual(['error', 'error', 'rebooting', 'resizing']);
    expect(cloudInstanceState('Hibernating')).toBeUndefined();
  });
});

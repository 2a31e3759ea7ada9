// The token bucket and the gate every cloud call goes through: budgets,
// first-come order, slowing down when the cloud throttles, retries, abort.
import { describe, expect, it, vi } from 'vitest';
import { CloudApiError } from '../clients/cloudErrors.js';
import { CloudApiStats } from '../apiStats.js';
import { abortableSleep, backoffDelayMs, CallGate } from './callGate.js';
import { defaultLimit } from './defaults.js';
import { AbortedError, TokenBucket } from './tokenBucket.js';

describe('TokenBucket', () => {
  it('spends the burst, then refills at the rate', () => {
    let t = 1_000_000;
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 3 }, () => t);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([0, 0, 0]);
    expect(bucket.tryTake()).toBe(100); // one token every 100 ms at 10/s
    t += 100;
    expect(bucket.tryTake()).toBe(0);
    t += 10_000; // never more than the burst, however long it waited
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([0, 0, 0]);
    expect(bucket.tryTake()).toBeGreaterThan(0);
  });

  it('halves its rate and drains on throttling, and earns the rate back while calls go through', () => {
    let t = 0;
    const bucket = new TokenBucket({ ratePerSecond: 40, burst: 10 }, () => t);
    bucket.throttled();
    expect(bucket.currentRate()).toBe(20);
    expect(bucket.tryTake()).toBe(50); // drained: the next token in 1/20 s
    bucket.throttled(); // the answers of calls already in flight: the same news, no second halving
    expect(bucket.currentRate()).toBe(20);
    for (let i = 0; i < 4; i++) {
      t += 1000;
      bucket.throttled();
    }
    expect(bucket.currentRate()).toBe(5); // never below an eighth of the budget
    t += 9_999;
    expect(bucket.currentRate()).toBe(5);
    t += 1;
    expect(bucket.currentRate()).toBeCloseTo(6.25);
    t += 120_000;
    expect(bucket.currentRate()).toBe(40);
  });

  it('serves waiters first come, first served, and rejects them on abort or close', async () => {
    const bucket = new TokenBucket({ ratePerSecond: 200, burst: 1 });
    const order: number[] = [];
    const waits = [1, 2, 3, 4].map((n) => bucket.take().then(() => order.push(n)));
    await Promise.all(waits);
    expect(order).toEqual([1, 2, 3, 4]);

    const slow = new TokenBucket({ ratePerSecond: 0.01, burst: 1 });
    await slow.take();
    const controller = new AbortController();
    const aborted = slow.take(controller.signal);
    const closed = slow.take();
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(AbortedError);
    slow.close();
    await expect(closed).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('CallGate', () => {
  const throttledError = () => new CloudApiError('throttled', 'Throttling.User', 'Request was denied due to user flow control.', 400);

  it('retries a throttled call after backing off, and counts every attempt', async () => {
    const stats = new CloudApiStats();
    const gate = new CallGate({ provider: 'aliyun', account: 'prod', stats, retry: { baseDelayMs: 5, maxDelayMs: 20 }, limits: { DescribeMetricList: { ratePerSecond: 1000, burst: 10 } } });
    let attempts = 0;
    const result = await gate.call('DescribeMetricList', async () => {
      attempts++;
      if (attempts <= 2) throw throttledError();
      return 'points';
    });
    expect(result).toBe('points');
    expect(gate.calls).toBe(3);
    expect(gate.throttles).toBe(2);
    const [api] = stats.snapshot();
    expect(api).toMatchObject({ cloud: 'aliyun', account: 'prod', api: 'DescribeMetricList', calls: 3, throttles: 2, errorsByCode: { 'Throttling.User': 2 } });
    expect(gate.bucket('DescribeMetricList').currentRate()).toBeLessThan(1000);
  });

  it('gives up after the attempts the policy allows, and never retries rejected credentials', async () => {
    const gate = new CallGate({ provider: 'tencent', account: 'a', stats: new CloudApiStats(), retry: { baseDelayMs: 1, maxDelayMs: 2, throttledAttempts: 3 } });
    let calls = 0;
    await expect(gate.call('GetMonitorData', async () => { calls++; throw throttledError(); })).rejects.toMatchObject({ kind: 'throttled' });
    expect(calls).toBe(3);
    calls = 0;
    await expect(gate.call('GetMonitorData', async () => { calls++; throw new CloudApiError('credentials_rejected', 'AuthFailure.SignatureFailure', 'x'); })).rejects.toMatchObject({ code: 'AuthFailure.SignatureFailure' });
    expect(calls).toBe(1);
  });

  it('stops waiting at once when aborted', async () => {
    const gate = new CallGate({ provider: 'huawei', account: 'a', stats: new CloudApiStats(), retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const controller = new AbortController();
    const pending = gate.call('BatchListMetricData', async () => { throw throttledError(); }, controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });

  /** The times (fake clock, ms) at which `fn` was attempted until the call settled, and how it settled. */
  async function attemptTimes(gate: CallGate, api: string, failure: () => Error): Promise<{ at: number[]; error: unknown }> {
    const at: number[] = [];
    const settled = gate.call(api, async () => {
      at.push(Date.now());
      throw failure();
    }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(120_000);
    return { at, error: await settled };
  }

  it('waits out its backoff before each retry of a network error: the cloud is not hit again at once', async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const gate = new CallGate({ provider: 'aliyun', account: 'prod', stats: new CloudApiStats(), random: () => 1, retry: { baseDelayMs: 1000, maxDelayMs: 20_000, networkAttempts: 3 } });
      const { at, error } = await attemptTimes(gate, 'DescribeMetricList', () => new Error('socket hang up'));
      expect(error).toMatchObject({ kind: 'network' });
      expect(at).toEqual([0, 1000, 3000]);
      gate.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('waits out its backoff before each retry of a throttled call, on top of the slowed bucket, jittered down to half a step', async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const gate = new CallGate({
        provider: 'tencent',
        account: 'gz',
        stats: new CloudApiStats(),
        random: () => 0,
        retry: { baseDelayMs: 1000, maxDelayMs: 2000, throttledAttempts: 5 },
        limits: { GetMonitorData: { ratePerSecond: 1000, burst: 10 } },
      });
      const { at, error } = await attemptTimes(gate, 'GetMonitorData', throttledError);
      expect(error).toMatchObject({ kind: 'throttled' });
      // Half of 1 s, 2 s, then the 2 s cap (twice).
      expect(at).toEqual([0, 500, 1500, 2500, 3500]);
      gate.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('backs off exponentially up to the cap, with jitter between half and all of a step', () => {
    const policy = { throttledAttempts: 5, networkAttempts: 3, baseDelayMs: 1000, maxDelayMs: 8000 };
    expect([0, 1, 2, 3, 4].map((a) => backoffDelayMs(a, policy, () => 1))).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(backoffDelayMs(2, policy, () => 0)).toBe(2000);
  });

  it('takes any failure that is not the cloud\'s answer for a network error: retried, counted under "network", and each attempt reported with whether it will be retried', async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const stats = new CloudApiStats();
      const reported: Array<[string, string, boolean]> = [];
      const gate = new CallGate({
        provider: 'huawei',
        account: 'hw',
        stats,
        random: () => 1,
        retry: { networkAttempts: 2, baseDelayMs: 100 },
        onError: (api, error, willRetry) => reported.push([api, error.kind, willRetry]),
      });
      const settled = gate.call('ListMetrics', async () => {
        throw new Error('ECONNRESET');
      }).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(1000);
      expect(await settled).toMatchObject({ kind: 'network', message: expect.stringContaining('ECONNRESET') });
      expect(reported).toEqual([
        ['ListMetrics', 'network', true],
        ['ListMetrics', 'network', false],
      ]);
      expect(stats.snapshot()).toEqual([expect.objectContaining({ api: 'ListMetrics', calls: 2, throttles: 0, errorsByCode: { network: 2 } })]);
      expect(gate.throttles).toBe(0);
      gate.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not retry a call whose account was removed while it was in flight, and counts what it cost', async () => {
    const stats = new CloudApiStats();
    const gate = new CallGate({ provider: 'aliyun', account: 'a', stats, retry: { baseDelayMs: 1, maxDelayMs: 1 } });
    const controller = new AbortController();
    let calls = 0;
    const pending = gate.call('DescribeMetricList', async () => {
      calls++;
      controller.abort();
      throw throttledError();
    }, controller.signal);
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(calls).toBe(1);
    expect(stats.snapshot()[0]).toMatchObject({ calls: 1, errorsByCode: { 'Throttling.User': 1 } });
  });

  it('records each successful call\'s latency under its cloud, account and API', async () => {
    const stats = new CloudApiStats();
    const gate = new CallGate({ provider: 'tencent', account: 'gz', stats });
    expect(await gate.call('GetMonitorData', async () => 42)).toBe(42);
    const [api] = stats.snapshot();
    expect(api).toMatchObject({ cloud: 'tencent', account: 'gz', api: 'GetMonitorData', calls: 1, throttles: 0, errorsByCode: {} });
    expect(api!.latency.count).toBe(1);
    expect(api!.latency.sumSeconds).toBeGreaterThanOrEqual(0);
    expect(api!.latency.sumSeconds).toBeLessThan(5);
    gate.close();
  });

  it('times each call, successful or failed, from its start to its answer, in seconds', async () => {
    // performance.now() at each call's start and answer: 250 ms, then 500 ms.
    const clock = [1_000, 1_250, 2_000, 2_500];
    const now = vi.spyOn(performance, 'now').mockImplementation(() => clock.shift() ?? 9_999);
    try {
      const stats = new CloudApiStats();
      const gate = new CallGate({ provider: 'aliyun', account: 'a', stats });
      await gate.call('DescribeMetricList', async () => 1);
      await expect(gate.call('DescribeMetricList', async () => { throw new CloudApiError('permission_denied', 'Forbidden', 'no', 403); })).rejects.toMatchObject({ code: 'Forbidden' });
      expect(stats.snapshot()[0]!.latency).toMatchObject({ count: 2, sumSeconds: 0.75 });
      gate.close();
    } finally {
      now.mockRestore();
    }
  });

  it('does not report a call that failed after its account was stopped: the stop wins, not the error', async () => {
    const onError = vi.fn();
    const gate = new CallGate({ provider: 'aliyun', account: 'a', stats: new CloudApiStats(), onError });
    const controller = new AbortController();
    const pending = gate.call('DescribeMetricList', async () => {
      controller.abort();
      throw new CloudApiError('permission_denied', 'Forbidden', 'no', 403);
    }, controller.signal);
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(onError).not.toHaveBeenCalled();
    gate.close();
  });

  it('keeps a budget per API: the account\'s own limit where it sets one, the default below the published quota elsewhere', () => {
    const gate = new CallGate({ provider: 'aliyun', account: 'a', stats: new CloudApiStats(), limits: { DescribeMetricList: { ratePerSecond: 5, burst: 2 } } });
    expect(gate.bucket('DescribeMetricList').limit).toEqual({ ratePerSecond: 5, burst: 2 });
    expect(gate.bucket('DescribeMetricLast').limit).toEqual(defaultLimit('aliyun', 'DescribeMetricLast'));
    expect(gate.bucket('DescribeMetricList')).toBe(gate.bucket('DescribeMetricList'));
    expect(gate.bucket('DescribeMetricList')).not.toBe(gate.bucket('DescribeMetricLast'));
  });

  it('stops every wait for a token when the gate closes', async () => {
    const gate = new CallGate({ provider: 'aliyun', account: 'a', stats: new CloudApiStats(), limits: { X: { ratePerSecond: 0.001, burst: 1 } } });
    await gate.call('X', async () => 1);
    const waiting = gate.call('X', async () => 2);
    gate.close();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('abortableSleep', () => {
  it('sleeps the time it is given, rejects at once on an aborted signal, and stops listening once it woke', async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const controller = new AbortController();
      const removed = vi.spyOn(controller.signal, 'removeEventListener');
      let woke = false;
      const sleep = abortableSleep(500, controller.signal).then(() => (woke = true));
      await vi.advanceTimersByTimeAsync(499);
      expect(woke).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await sleep;
      expect(woke).toBe(true);
      // A long-lived account signal does not collect one listener per backoff.
      expect(removed).toHaveBeenCalledWith('abort', expect.any(Function));
      controller.abort();
      await expect(abortableSleep(10, controller.signal)).rejects.toBeInstanceOf(AbortedError);
    } finally {
      vi.useRealTimers();
    }
  });
});

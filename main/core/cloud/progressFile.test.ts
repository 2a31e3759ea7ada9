// The cloud accounts' progress file: only forward, per cloud, forgotten on
// removal, and a damaged file set aside (collection then starts as on a first
// start) rather than refusing to start or being overwritten unseen.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOUD_PROGRESS_FILE, CloudProgress } from './progressFile.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-cloudprog-'));
  dirs.push(d);
  return d;
};

describe('cloud progress', () => {
  it('keeps the newest time per account and cloud across restarts, and forgets a removed account', () => {
    const dir = tempDir();
    const problems: string[] = [];
    const p = new CloudProgress(dir, (m) => problems.push(m));
    expect(p.resumeFrom('prod', 'aliyun')).toBeUndefined();
    p.record('prod', 'aliyun', 1_000_000);
    p.record('prod', 'aliyun', 900_000); // a cycle that got less far moves nothing back
    p.record('prod', 'aliyun', null);
    p.record('other', 'tencent', 2_000_000);
    const again = new CloudProgress(dir, (m) => problems.push(m));
    expect(again.resumeFrom('prod', 'aliyun')).toBe(1_000_000);
    // The same name on another cloud is another account.
    expect(again.resumeFrom('prod', 'huawei')).toBeUndefined();
    again.forget('prod');
    expect(new CloudProgress(dir, () => {}).resumeFrom('prod', 'aliyun')).toBeUndefined();
    expect(new CloudProgress(dir, () => {}).resumeFrom('other', 'tencent')).toBe(2_000_000);
    expect(problems).toEqual([]);
  });

  it('sets a damaged file aside, says so, and starts afresh', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, CLOUD_PROGRESS_FILE), '{"version":1,"accounts":{"prod":{"provider":"aliyun","collectedUntil":-5}}}');
    const problems: string[] = [];
    const p = new CloudProgress(dir, (m) => problems.push(m));
    expect(p.resumeFrom('prod', 'aliyun')).toBeUndefined();
    expect(problems).toEqual([expect.stringMatching(/cloud-progress\.json was invalid .*moved to/)]);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith(`${CLOUD_PROGRESS_FILE}.invalid-`))).toHaveLength(1);
  });

  it('a write that fails (a full disk, a read-only dir) is a problem, not a crash of the collector', () => {
    const dir = tempDir();
    const problems: string[] = [];
    const p = new CloudProgress(path.join(dir, 'missing-dir'), (m) => problems.push(m));
    expect(() => p.record('prod', 'aliyun', 1)).not.toThrow();
    expect(problems).toEqual([expect.stringMatching(/could not be written: ENOENT/)]);
    // Still known in memory: an account restarted in this run resumes from it.
    expect(p.resumeFrom('prod', 'aliyun')).toBe(1);
  });
});

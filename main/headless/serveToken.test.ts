import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadServeToken, SERVE_TOKEN_FILE } from './serveToken.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-token-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('the headless console\'s access token', () => {
  it('is made on first start in a 0600 file and kept across restarts', () => {
    const dir = tempDir();
    const first = loadServeToken(dir);
    expect(first.made).toBe('first');
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const file = path.join(dir, SERVE_TOKEN_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const again = loadServeToken(dir);
    expect(again).toEqual({ token: first.token });
  });

  it('is replaced when asked to rotate, and the new one is kept', () => {
    const dir = tempDir();
    const first = loadServeToken(dir);
    const rotated = loadServeToken(dir, { rotate: true });
    expect(rotated.made).toBe('rotated');
    expect(rotated.token).not.toBe(first.token);
    expect(loadServeToken(dir).token).toBe(rotated.token);
    expect(fs.statSync(path.join(dir, SERVE_TOKEN_FILE)).mode & 0o777).toBe(0o600);
  });

  it('is replaced, saying why, when the file is readable by others or holds no token', () => {
    const dir = tempDir();
    const file = path.join(dir, SERVE_TOKEN_FILE);
    const first = loadServeToken(dir);
    fs.chmodSync(file, 0o644);
    const loose = loadServeToken(dir);
    expect(loose.made).toBe('replaced');
    expect(loose.problem).toContain('readable by other users (mode 644)');
    expect(loose.token).not.toBe(first.token);
    expect(loose.problem).not.toContain(first.token);
    fs.writeFileSync(file, 'not a token\n', { mode: 0o600 });
    const junk = loadServeToken(dir);
    expect(junk.made).toBe('replaced');
    expect(junk.problem).toContain('did not hold a token');
    expect(loadServeToken(dir).token).toBe(junk.token);
  });
});

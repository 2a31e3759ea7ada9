import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSecretRef, secretFilePath } from './secretRef.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'overlook-secretref-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('resolveSecretRef: _env', () => {
  it('reads the variable', () => {
    expect(resolveSecretRef({ env: 'WEB1_PASSWORD' }, { environment: { WEB1_PASSWORD: 'p@ss word' } })).toEqual({ value: 'p@ss word' });
  });

  it('names a missing variable, not a value', () => {
    const resolved = resolveSecretRef({ env: 'WEB1_PASSWORD' }, { environment: { OTHER: 'hunter2' } });
    expect(resolved).toEqual({ problem: 'environment variable WEB1_PASSWORD is not set' });
  });

  it('calls an empty variable empty', () => {
    expect(resolveSecretRef({ env: 'EMPTY' }, { environment: { EMPTY: '' } })).toEqual({ problem: 'environment variable EMPTY is set but empty' });
  });

  it('reads the real process environment by default', () => {
    process.env.OVERLOOK_TEST_SECRET_REF = 'from-process';
    try {
      expect(resolveSecretRef({ env: 'OVERLOOK_TEST_SECRET_REF' })).toEqual({ value: 'from-process' });
    } finally {
      delete process.env.OVERLOOK_TEST_SECRET_REF;
    }
  });
});

describe('resolveSecretRef: _file', () => {
  it('reads a file relative to the provisioning file, dropping one trailing newline only', () => {
    fs.mkdirSync(path.join(dir, 'secrets'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'secrets', 'web1'), '  tok en \n');
    expect(resolveSecretRef({ file: 'secrets/web1' }, { baseDir: dir })).toEqual({ value: '  tok en ' });
    fs.writeFileSync(path.join(dir, 'crlf'), 'abc\r\n\r\n');
    expect(resolveSecretRef({ file: path.join(dir, 'crlf') })).toEqual({ value: 'abc\r\n' });
  });

  it('names a missing file', () => {
    expect(resolveSecretRef({ file: 'nope' }, { baseDir: dir })).toEqual({ problem: `secret file ${path.join(dir, 'nope')} does not exist` });
  });

  it('refuses an empty file, a directory and an oversized file without reading them into the problem', () => {
    fs.writeFileSync(path.join(dir, 'empty'), '\n');
    expect(resolveSecretRef({ file: 'empty' }, { baseDir: dir })).toEqual({ problem: `secret file ${path.join(dir, 'empty')} is empty` });
    expect(resolveSecretRef({ file: dir })).toEqual({ problem: `secret file ${dir} is not a regular file` });
    fs.writeFileSync(path.join(dir, 'big'), 'x'.repeat(100 * 1024));
    expect(resolveSecretRef({ file: 'big' }, { baseDir: dir })).toMatchObject({ problem: expect.stringMatching(/larger than 64 KiB/) });
  });

  it('expands ~ to the home directory', () => {
    expect(secretFilePath('~/.ssh/pass', '/elsewhere')).toBe(path.join(os.homedir(), '.ssh', 'pass'));
    expect(secretFilePath('pass', '/etc/overlook')).toBe('/etc/overlook/pass');
  });

  it('refuses a reference to both or to nothing', () => {
    expect(resolveSecretRef({ env: 'A', file: 'b' })).toMatchObject({ problem: expect.stringMatching(/both/) });
    expect(resolveSecretRef({})).toMatchObject({ problem: expect.stringMatching(/no secret given/) });
  });
});

// `npm start` where Electron cannot run: one line saying why, then the
// headless console and its URL (README, "Two commands").
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('npm start without a display', () => {
  it('says why there is no desktop window and serves the headless console', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-start-'));
    const env = { ...process.env, OVERLOOK_DATA_DIR: dataDir };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const child = spawn(process.execPath, [path.join(root, 'scripts', 'start.js'), '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL within 30 s:\n${out}`)), 30_000);
        child.stdout.on('data', () => {
          const m = out.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/);
          if (m) (clearTimeout(timer), resolve(m[0]));
        });
        child.on('exit', (code) => reject(new Error(`start exited with ${code}:\n${out}`)));
      });
      expect(out).toMatch(/^Electron is not available \(there is no display.*\); starting the headless console instead\.$/m);
      expect(out).toContain(`data in ${dataDir}`);
      const page = await fetch(url, { redirect: 'manual' });
      expect(page.status).toBe(302);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

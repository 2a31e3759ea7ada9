// `npm start`: the desktop app when an Electron binary is available; otherwise
// one line saying so, then the headless console (its URL is printed).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

if (!existsSync(new URL('../dist/main/cli.js', import.meta.url)) || !existsSync(new URL('../dist/renderer/index.html', import.meta.url))) {
  process.stderr.write('Building the console first (npm run build)…\n');
  const build = spawn('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  const code = await new Promise((resolve) => build.on('exit', resolve));
  if (code !== 0) process.exit(code ?? 1);
}

/** The path of a usable Electron binary, or why there is none. */
function findElectron() {
  let binary;
  try {
    // The electron package exports the binary's path; the binary itself may never have been downloaded.
    binary = require('electron');
  } catch (err) {
    return { reason: `the electron package is not installed (${err.code ?? err.message})` };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return { reason: 'the Electron binary has not been downloaded on this machine' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'there is no display (DISPLAY/WAYLAND_DISPLAY unset)' };
  return { binary };
}

const electron = findElectron();
const args = process.argv.slice(2);
if (electron.binary) {
  const child = spawn(electron.binary, ['.', ...args], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  process.stderr.write(`Electron is not available (${electron.reason}); starting the headless console instead.\n`);
  const { main } = await import(new URL('../dist/main/cli.js', import.meta.url).href);
  const code = await main(['serve', ...args]);
  if (code >= 0) process.exitCode = code;
}

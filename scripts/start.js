// `npm start`: the desktop app when an Electron binary is available; otherwise
// one line saying so, then the headless console (its URL is printed).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

if (!existsSync(new URL('../dist/main/cli.js', import.meta.url)) || !existsSync(new URL('../dist/renderer/index.html', import.meta.url))) {
  process.stderr.write('Building the console first (npm run build)…\n');
  const build = spawn('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  const code = await new Promise((resolve) => build.on('exit', resolve));
  if (code !== 0) process.exit(code ?? 1);
}

/**
 * The path of a usable Electron binary, or why there is none. `require('electron')`
 * is not used to ask: since Electron 42 it downloads the binary on first use,
 * and prints a stack trace where the download cannot be had.
 */
function findElectron() {
  const pkgDir = path.join(root, 'node_modules', 'electron');
  if (!existsSync(path.join(pkgDir, 'package.json'))) return { reason: 'the electron package is not installed' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'there is no display (DISPLAY/WAYLAND_DISPLAY unset)' };
  const binary = () => {
    const pathFile = path.join(pkgDir, 'path.txt');
    if (!existsSync(pathFile)) return undefined;
    const relative = readFileSync(pathFile, 'utf8').trim();
    const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkgDir, 'dist');
    const full = path.join(dist, relative);
    return existsSync(full) ? full : undefined;
  };
  if (binary()) return { binary: binary() };
  // Try to fetch it once, quietly; machines without the internet fall through at once.
  const download = spawnSync(process.execPath, [path.join(pkgDir, 'install.js')], { cwd: pkgDir, stdio: 'ignore', timeout: 120_000 });
  const fetched = binary();
  if (download.status === 0 && fetched) return { binary: fetched };
  return { reason: 'the Electron binary is not downloaded and cannot be fetched from here' };
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

// Where run-time files come from, in a checkout and in the packaged app's
// layout: `resources/app.asar` (which Electron's fs lets the console read
// inside) beside `resources/app.asar.unpacked` (electron-builder's asarUnpack
// output, the only copy another program can read).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createPackageWithOptions, extractFile } from '@electron/asar';
import { afterEach, describe, expect, it } from 'vitest';
import { appFile, appRoot, asarArchiveOf, fileFor, findPackageRoot, moduleFile, resolveAppFile } from './appFiles.js';
import { findShippedMappingsDir } from './cloud/mappings/loadMappings.js';
import { findAgentScript } from './sources/agent/agentScript.js';

const checkout = fileURLToPath(new URL('../../', import.meta.url));
const agentText = fs.readFileSync(path.join(checkout, 'agent', 'overlook-agent.sh'));

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function write(file: string, contents: string | Buffer) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, contents);
}

/**
 * The packaged app as the console's own (Electron-patched) fs shows it: app.asar
 * reads as a directory. The agent is also in app.asar.unpacked, as asarUnpack puts it.
 */
function asarShapedLayout(options: { unpackAgent: boolean }) {
  const resources = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-appfiles-')), 'Overlook', 'resources');
  temps.push(path.dirname(path.dirname(resources)));
  const asar = path.join(resources, 'app.asar');
  write(path.join(asar, 'package.json'), JSON.stringify({ name: 'overlook', version: '9.9.9', main: 'dist/main/electron/main.js' }));
  write(path.join(asar, 'dist', 'main', 'core', 'store', 'storeWorker.js'), '');
  write(path.join(asar, 'resources', 'cloud-mappings', 'ecs.yaml'), 'product: ecs\n');
  write(path.join(asar, 'agent', 'overlook-agent.sh'), agentText);
  if (options.unpackAgent) write(path.join(resources, 'app.asar.unpacked', 'agent', 'overlook-agent.sh'), agentText);
  return { resources, asar, unpacked: path.join(resources, 'app.asar.unpacked') };
}

describe('appFiles in a checkout', () => {
  it('finds the package root and hands out the checkout’s own files for reading and running', () => {
    expect(appRoot()).toBe(path.resolve(checkout));
    expect(appFile('agent/overlook-agent.sh', 'exec')).toBe(path.join(checkout, 'agent', 'overlook-agent.sh'));
    expect(appFile('package.json', 'read')).toBe(path.join(checkout, 'package.json'));
    expect(findAgentScript()).toBe(path.join(checkout, 'agent', 'overlook-agent.sh'));
    expect(findShippedMappingsDir()).toBe(path.join(checkout, 'resources', 'cloud-mappings'));
  });
});

describe('appFiles in the packaged layout', () => {
  it('finds the root at app.asar from a module inside it', () => {
    const { asar } = asarShapedLayout({ unpackAgent: true });
    expect(findPackageRoot(path.join(asar, 'dist', 'main', 'core'))).toBe(asar);
    expect(asarArchiveOf(path.join(asar, 'dist', 'main', 'core', 'appFiles.js'))).toBe(asar);
    expect(asarArchiveOf(checkout)).toBeUndefined();
  });

  it('gives sh the unpacked agent, and Node the files inside the archive', () => {
    const { asar, unpacked } = asarShapedLayout({ unpackAgent: true });
    expect(findAgentScript(asar)).toBe(path.join(unpacked, 'agent', 'overlook-agent.sh'));
    expect(findShippedMappingsDir(asar)).toBe(path.join(asar, 'resources', 'cloud-mappings'));
    expect(resolveAppFile(asar, 'dist/renderer/index.html', 'read')).toBe(path.join(asar, 'dist', 'renderer', 'index.html'));
    const storeModule = pathToFileURL(path.join(asar, 'dist', 'main', 'core', 'store', 'metricStore.js')).href;
    expect(moduleFile(storeModule, './storeWorker.js', 'read')).toBe(path.join(asar, 'dist', 'main', 'core', 'store', 'storeWorker.js'));
  });

  it('refuses, naming asarUnpack, a file to run that was not unpacked', () => {
    const { asar } = asarShapedLayout({ unpackAgent: false });
    expect(() => findAgentScript(asar)).toThrow(/agent\/overlook-agent\.sh is packed inside .*app\.asar, where other programs cannot read it.*asarUnpack must list it/);
  });

  it('runs the agent from a real asar archive: sh reads the unpacked copy and cannot read the archive path', async () => {
    const src = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-appfiles-src-'));
    temps.push(src);
    write(path.join(src, 'package.json'), JSON.stringify({ name: 'overlook', version: '9.9.9' }));
    write(path.join(src, 'agent', 'overlook-agent.sh'), agentText);
    const resources = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-appfiles-res-'));
    temps.push(resources);
    const asar = path.join(resources, 'app.asar');
    // The same rule electron-builder.yml gives (asarUnpack: agent/**), through the library electron-builder packs with.
    await createPackageWithOptions(src, asar, { unpack: '*.sh' });
    expect(fs.statSync(asar).isFile()).toBe(true);
    expect(JSON.parse(extractFile(asar, 'package.json').toString('utf8'))).toMatchObject({ name: 'overlook' });

    const script = fileFor(path.join(asar, 'agent', 'overlook-agent.sh'), 'exec');
    expect(script).toBe(path.join(resources, 'app.asar.unpacked', 'agent', 'overlook-agent.sh'));
    expect(execFileSync('sh', [script, 'once'], { encoding: 'utf8' })).toMatch(/^@@overlook-agent \d+ begin 1$/m);
    // What the console used to hand sh: the path inside the archive, which only Electron can read.
    const inArchive = spawnSync('sh', [path.join(asar, 'agent', 'overlook-agent.sh'), 'once'], { encoding: 'utf8' });
    expect(inArchive.status).not.toBe(0);
    expect(inArchive.stderr).toMatch(/Not a directory|No such file/);
  });
});

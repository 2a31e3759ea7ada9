// The console's version comes from its package.json (appFiles.ts finds it in
// a checkout, in dist/ and inside the packaged app's asar).
import fs from 'node:fs';
import { appFile } from './appFiles.js';

export function consoleVersion(): string {
  return (JSON.parse(fs.readFileSync(appFile('package.json', 'read'), 'utf8')) as { version: string }).version;
}

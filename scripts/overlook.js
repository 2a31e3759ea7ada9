#!/usr/bin/env node
// The `overlook` command (package bin): runs the compiled CLI from dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('overlook: the console is not built yet; run "npm install" (or "npm run build") in its folder first.\n');
  process.exit(1);
}
const { main } = await import(cli);
const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;

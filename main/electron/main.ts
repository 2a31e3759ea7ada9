// The desktop app's entry point (package.json "main"): the only module that
// imports `electron` at run time. Everything it does is in shell.ts, which
// takes Electron's API as a parameter so it runs under test without Electron.
import * as electron from 'electron';
import { createStderrLogger } from '../core/log.js';
import { startDesktopShell } from './shell.js';

startDesktopShell(electron, {
  argv: process.argv,
  env: process.env,
  platform: process.platform,
  log: createStderrLogger(),
});

// Where the console keeps its data when the user does not say (--data or
// OVERLOOK_DATA_DIR): the same directory Electron's app.getPath('userData')
// uses for an app named "Overlook", so the desktop and headless shells share
// one history.
import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'Overlook';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.OVERLOOK_DATA_DIR) return path.resolve(env.OVERLOOK_DATA_DIR);
  const home = os.homedir();
  switch (platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', APP_NAME);
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_NAME);
  }
}

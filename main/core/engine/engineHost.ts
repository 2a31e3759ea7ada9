// The console's own machine is the host `local` everywhere inside one
// console (its series, alerts, /metrics). In an engine shared by several
// consoles every laptop would be `local`: their series would merge, and a
// second console reading history would take another laptop's `local` for
// its own. So the sender writes the local host under this machine's name and
// the history reader maps that name back to `local`, symmetrically.
import os from 'node:os';

export const LOCAL_HOST = 'local';

/** The `host` label the local host carries in an engine: this machine's host name. */
export function localHostOnEngine(): string {
  const name = os.hostname().trim();
  return name === '' || name === LOCAL_HOST ? 'local-console' : name;
}

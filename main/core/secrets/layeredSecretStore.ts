// The desktop app's store once a keychain is there: new secrets go to the
// keychain-encrypted file, and secrets saved earlier in the key-file store
// (while the desktop had no keychain, or by the headless console on the same
// data directory) are still found there instead of silently missing. The
// older store is only read and cleaned: `set` never writes to it, `delete`
// removes the ref from both so a removed host leaves no copy behind.
import type { SecretStore } from './secretStore.js';

export function createLayeredSecretStore(primary: SecretStore, earlier: SecretStore): SecretStore {
  return {
    async get(ref) {
      const value = await primary.get(ref);
      return value !== undefined ? value : earlier.get(ref);
    },
    set: (ref, value) => primary.set(ref, value),
    async delete(ref) {
      await primary.delete(ref);
      await earlier.delete(ref);
    },
    async list() {
      const [a, b] = await Promise.all([primary.list(), earlier.list()]);
      return [...new Set([...a, ...b])].sort();
    },
  };
}

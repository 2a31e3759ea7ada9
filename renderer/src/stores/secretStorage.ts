// Where the console keeps secrets (app/info's secretStorage), for the forms
// that take one: the desktop app without a keychain says so next to every
// secret field. Asked again on every (re)connection.
import { create } from 'zustand';
import type { SecretStorage } from '../../../main/common/contract';
import { core } from '../coreClient';
import { onEachConnection } from './connection';

export const useSecretStorage = create<{ storage?: SecretStorage }>()(() => ({}));

export function startSecretStorageSync(): void {
  onEachConnection(() => {
    core.call('app/info').then(
      (info) => useSecretStorage.setState({ storage: info.secretStorage }),
      () => {
        // The screens that need it show the connection's state; the note just stays as it was.
      },
    );
  });
}

// Dialogs asked for from elsewhere (the command palette): the screen that
// owns the dialog opens it when it shows, then clears the request.
import { create } from 'zustand';

export type DialogRequest = 'add-host' | 'import-hosts' | 'add-cloud' | 'add-check';

export interface UiRequestsState {
  dialog: DialogRequest | null;
}

export const useUiRequests = create<UiRequestsState>()(() => ({ dialog: null }));

export function requestDialog(dialog: DialogRequest): void {
  useUiRequests.setState({ dialog });
}

/** The owner took it: opened the dialog. */
export function takeDialogRequest(dialog: DialogRequest): boolean {
  if (useUiRequests.getState().dialog !== dialog) return false;
  useUiRequests.setState({ dialog: null });
  return true;
}

// The sandboxed preload: exposes a two-function frame bridge and nothing else.
// It may only require 'electron' (sandboxed preloads cannot load other files),
// so it knows nothing of the contract; the renderer's RPC layer does.
import { contextBridge, ipcRenderer } from 'electron';

const FRAME_CHANNEL = 'overlook:frame';

contextBridge.exposeInMainWorld('overlook', {
  send(frame: unknown): void {
    ipcRenderer.send(FRAME_CHANNEL, frame);
  },
  onFrame(listener: (frame: unknown) => void): () => void {
    const wrapped = (_event: unknown, frame: unknown) => listener(frame);
    ipcRenderer.on(FRAME_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(FRAME_CHANNEL, wrapped);
    };
  },
});

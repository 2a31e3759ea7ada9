// The fixed window the operator chose (custom range or drag-to-zoom), shared
// by every screen until reset; null = the live preset from prefs. Not
// persisted: a restart comes back live.
import { create } from 'zustand';
import type { AbsoluteWindow } from '../timeRange';

export interface TimeWindowState {
  fixed: AbsoluteWindow | null;
  setFixed(window: AbsoluteWindow | null): void;
}

export const useTimeWindow = create<TimeWindowState>()((set) => ({
  fixed: null,
  setFixed: (fixed) => set({ fixed }),
}));

// How the operator likes the overview: table or cards, sort, grouping and
// filters, kept in localStorage like the other display choices.
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { sortColumns, statusFilters, type SortColumn, type StatusFilter } from '../screens/overview/fleetRows';
import type { SortDir } from '../screens/sortRows';

export interface OverviewPrefs {
  /** `auto`: cards for a handful of hosts, the table beyond (cards stop being scannable). */
  view: 'auto' | 'table' | 'cards';
  sort: SortColumn;
  dir: SortDir;
  groupByTag: boolean;
  text: string;
  tag: string | null;
  status: StatusFilter;
  collapsed: string[];
  set(patch: Partial<Omit<OverviewPrefs, 'set'>>): void;
}

const defaults = { view: 'auto' as OverviewPrefs['view'], sort: 'name' as SortColumn, dir: 'asc' as SortDir, groupByTag: false, text: '', tag: null, status: 'all' as StatusFilter, collapsed: [] };

export const useOverviewPrefs = create<OverviewPrefs>()(
  persist((set) => ({ ...defaults, set: (patch) => set(patch) }), {
    name: 'overlook.overview',
    version: 1,
    storage: createJSONStorage(() => localStorage),
    partialize: ({ set: _set, ...rest }) => rest,
    merge: (persisted, current) => {
      const p = (typeof persisted === 'object' && persisted !== null ? persisted : {}) as Record<string, unknown>;
      return {
        ...current,
        view: p.view === 'cards' || p.view === 'table' ? p.view : 'auto',
        sort: (sortColumns as readonly unknown[]).includes(p.sort) ? (p.sort as SortColumn) : defaults.sort,
        dir: p.dir === 'desc' ? 'desc' : 'asc',
        groupByTag: p.groupByTag === true,
        text: typeof p.text === 'string' ? p.text : '',
        tag: typeof p.tag === 'string' ? p.tag : null,
        status: (statusFilters as readonly unknown[]).includes(p.status) ? (p.status as StatusFilter) : 'all',
        collapsed: Array.isArray(p.collapsed) ? p.collapsed.filter((x): x is string => typeof x === 'string') : [],
      };
    },
  }),
);

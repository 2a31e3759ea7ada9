// No renderer module imports one that imports it back, types included: a
// cycle (a component and the helpers that borrowed its types) makes the
// load order decide what is defined, and the files hard to move apart.
import { describe, expect, it } from 'vitest';

// Every renderer source, as text (Vite's glob; the renderer has no Node APIs).
const sources = import.meta.glob(['./**/*.ts', './**/*.tsx', '!./**/*.test.ts', '!./**/*.test.tsx'], { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

/** `./a/b` + `../c` → `./a/c`. */
function join(fromFile: string, spec: string): string {
  const parts = fromFile.split('/').slice(0, -1);
  for (const part of spec.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.') parts.push(part);
  }
  return parts.join('/');
}

/** The renderer files a file imports (relative specifiers that land on a renderer source). */
function importsOf(file: string): string[] {
  const specs = [...sources[file]!.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specs.map((s) => join(file, s)).flatMap((base) => [base, `${base}.ts`, `${base}.tsx`].filter((c) => c in sources).slice(0, 1));
}

function importCycles(): string[] {
  const graph = new Map(Object.keys(sources).map((f) => [f, importsOf(f)]));
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

describe('renderer imports', () => {
  it('are read from every source', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(50);
    expect(importsOf('./charts/ChartCard.tsx')).toContain('./charts/chartTypes.ts');
  });
  it('form no cycle', () => {
    expect(importCycles()).toEqual([]);
  });
});

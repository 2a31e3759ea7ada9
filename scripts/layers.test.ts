// Folders name their runtime (see shared/style.md): this test fails the build
// when an import crosses a layer it must not cross.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'fixtures' && entry.name !== 'node_modules') out.push(...sources(rel));
    } else if (/\.(c|m)?tsx?$/.test(entry.name)) out.push(rel);
  }
  return out;
}

function imports(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3] ?? '',
  );
}

function violations(dir: string, forbidden: (spec: string, file: string) => boolean): string[] {
  return sources(dir).flatMap((f) => imports(f).filter((s) => forbidden(s, f)).map((s) => `${f} imports ${s}`));
}

const isNode = (s: string) => s.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'net', 'http', 'crypto'].includes(s);

describe('layering', () => {
  it('only main/electron and preload import electron', () => {
    const bad = [...violations('main', (s, f) => s === 'electron' && !f.startsWith('main/electron/')), ...violations('renderer', (s) => s === 'electron')];
    expect(bad).toEqual([]);
  });
  it('main/common imports neither Node nor other main folders', () => {
    expect(violations('main/common', (s) => isNode(s) || (s.startsWith('.') && !s.startsWith('./')))).toEqual([]);
  });
  it('the renderer imports no Node module and nothing of main but main/common', () => {
    const bad = violations('renderer', (s, f) => {
      if (isNode(s)) return !f.endsWith('vite.config.ts');
      if (!s.startsWith('.')) return false;
      const target = path.normalize(path.join(path.dirname(f), s));
      return target.startsWith('main') && !target.startsWith(path.join('main', 'common'));
    });
    expect(bad).toEqual([]);
  });
  it('the core does not import the shells', () => {
    expect(violations('main/core', (s) => /(^|\/)(headless|electron)\//.test(s) || s.endsWith('/cli.js'))).toEqual([]);
  });
});

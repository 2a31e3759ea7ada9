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

// main/core in the order a sample travels, lowest first: the leaf model;
// parsing and deriving, and Prometheus's wire formats (pure); the services every part uses; the sources of
// observations; the context features are given and the ingest path; the
// features; the composition root. A file imports its own level or lower.
const CORE_LEVELS: Readonly<Record<string, number>> = {
  model: 0,
  parse: 1,
  derive: 1,
  prometheus: 1,
  config: 2,
  secrets: 2,
  settings: 2,
  store: 2,
  managed: 2,
  'log.ts': 2,
  'paths.ts': 2,
  'appFiles.ts': 2,
  'dataFile.ts': 2,
  'version.ts': 2,
  'exposition.ts': 2,
  'httpListener.ts': 2,
  engine: 2,
  history: 2,
  sources: 3,
  'coreContext.ts': 4,
  ingest: 4,
  'inventory.ts': 4,
  containers: 5,
  ssh: 5,
  scrapeTargets: 5,
  pushReceiver: 5,
  cloud: 5,
  alerts: 5,
  export: 5,
  topk: 5,
  processes: 5,
  fleet: 5,
  remoteWrite: 5,
  checks: 5,
  anomalies: 5,
  'createCore.ts': 6,
  'features.ts': 6,
  'localHost.ts': 6,
  'snapshot.ts': 6,
};
const FEATURE_LEVEL = 5;
/** The container domain (engine API, tracker, the cAdvisor names and Top-K entity) is shared by the features that show containers; its request handler is not. */
const SHARED_FEATURE_PARTS = 'containers';

/** `main/core/x/...` → `x` (a folder, or a file at the top of the core). */
function coreEntry(file: string): string | undefined {
  const rel = path.relative('main/core', file);
  if (rel.startsWith('..')) return undefined;
  // Imports name the built files (`./log.js`); the table names the sources.
  return rel.split(path.sep)[0]!.replace(/\.js$/, '.ts');
}

function resolvedImports(file: string): string[] {
  return imports(file)
    .filter((s) => s.startsWith('.'))
    .map((s) => path.normalize(path.join(path.dirname(file), s)));
}

const productSources = (dir: string) => sources(dir).filter((f) => !/\.test\.tsx?$/.test(f));

describe('main/core keeps the order of the data', () => {
  it('every folder and file at the top of main/core has a level', () => {
    const unlisted = fs.readdirSync(path.join(root, 'main/core')).filter((e) => !(e in CORE_LEVELS) && !/\.test\.ts$/.test(e));
    expect(unlisted).toEqual([]);
  });

  it('nothing imports a higher level: the model imports only main/common, no lower layer reaches up to a feature', () => {
    const bad: string[] = [];
    for (const file of productSources('main/core')) {
      const from = coreEntry(file)!;
      for (const target of resolvedImports(file)) {
        const to = coreEntry(target);
        if (to === undefined) {
          if (!target.startsWith(path.join('main', 'common'))) bad.push(`${file} imports ${target}, outside the core and main/common`);
          continue;
        }
        if ((CORE_LEVELS[to] ?? 99) > (CORE_LEVELS[from] ?? -1)) bad.push(`${file} (level ${CORE_LEVELS[from]}) imports ${target} (level ${CORE_LEVELS[to]})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('features reach each other only through the core context (the container domain aside), and only the registry imports a feature', () => {
    const bad: string[] = [];
    for (const file of productSources('main/core')) {
      const from = coreEntry(file)!;
      for (const target of resolvedImports(file)) {
        const to = coreEntry(target);
        if (to === undefined || to === from) continue;
        if (path.basename(target, '.js') === 'feature' && file !== path.join('main', 'core', 'features.ts')) bad.push(`${file} imports the feature ${target}`);
        if (CORE_LEVELS[from] === FEATURE_LEVEL && CORE_LEVELS[to] === FEATURE_LEVEL && to !== SHARED_FEATURE_PARTS) bad.push(`${file} reaches into the ${to} feature (${target})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the provisioning parser knows no feature: sections register through the feature list', () => {
    const bad = productSources('main/core/config').flatMap((file) =>
      resolvedImports(file)
        .filter((target) => (CORE_LEVELS[coreEntry(target) ?? ''] ?? 0) > CORE_LEVELS.config!)
        .map((target) => `${file} imports ${target}`),
    );
    expect(bad).toEqual([]);
  });

  it('nothing in the product imports the test support (main/testing), which is built apart and never packaged', () => {
    const bad = ['main', 'preload', 'renderer']
      .flatMap((dir) => productSources(dir))
      .filter((file) => !file.startsWith(path.join('main', 'testing')))
      .flatMap((file) => resolvedImports(file).filter((t) => t.startsWith(path.join('main', 'testing'))).map((t) => `${file} imports ${t}`));
    expect(bad).toEqual([]);
  });
});

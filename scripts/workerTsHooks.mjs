// Module hooks for scripts/workerTsLoader.mjs: `./x.js` imported from a `.ts`
// file resolves to `./x.ts` when only that exists (the sources import their
// siblings by their built names), and `.ts` files are transpiled with the
// project's TypeScript (types are stripped, nothing is checked: `npm run
// typecheck` does that). Transpiled files are cached by content under
// node_modules/.cache, so TypeScript itself is loaded only when a source changed.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cacheDir = fileURLToPath(new URL('../node_modules/.cache/overlook-worker-ts/', import.meta.url));
let typescript;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const fromTs = context.parentURL?.startsWith('file:') && context.parentURL.endsWith('.ts');
    if (!fromTs || err?.code !== 'ERR_MODULE_NOT_FOUND' || !specifier.endsWith('.js')) throw err;
    return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = readFileSync(path, 'utf8');
  const cached = `${cacheDir}${createHash('sha256').update(path).update('\0').update(source).digest('hex')}.js`;
  let output;
  try {
    output = readFileSync(cached, 'utf8');
  } catch {
    typescript ??= (await import('typescript')).default;
    output = typescript.transpileModule(source, {
      fileName: path,
      compilerOptions: {
        module: typescript.ModuleKind.ESNext,
        target: typescript.ScriptTarget.ES2022,
        inlineSourceMap: true,
        inlineSources: true,
      },
    }).outputText;
    mkdirSync(cacheDir, { recursive: true });
    // Test processes run in parallel: write aside, then rename, so no one reads half a file.
    const aside = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    writeFileSync(aside, output);
    renameSync(aside, cached);
  }
  return { format: 'module', source: output, shortCircuit: true };
}

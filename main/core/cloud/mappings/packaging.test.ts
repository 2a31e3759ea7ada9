// The desktop package must carry the shipped mapping files: the core finds
// them by walking up to resources/cloud-mappings at run time.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findShippedMappingsDir, mappingFilesIn } from './loadMappings.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** electron-builder `files` globs, as far as this check needs: `**` any depth, `*` within a name. */
function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '.*');
  return new RegExp(`^${escaped}$`);
}

describe('packaging', () => {
  it('electron-builder.yml packs every shipped mapping file, and the core finds them from the source tree', () => {
    const config = parse(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as { files: string[] };
    const include = config.files.filter((f) => !f.startsWith('!')).map(globToRegExp);
    const exclude = config.files.filter((f) => f.startsWith('!')).map((f) => globToRegExp(f.slice(1)));
    const shipped = mappingFilesIn(findShippedMappingsDir()).map((f) => path.relative(root, f.file).split(path.sep).join('/'));
    expect(shipped).toEqual(['resources/cloud-mappings/ecs.yaml', 'resources/cloud-mappings/rds.yaml', 'resources/cloud-mappings/slb.yaml']);
    for (const file of shipped) {
      expect(include.some((r) => r.test(file)) && !exclude.some((r) => r.test(file)), file).toBe(true);
    }
    expect(config.files).toContain('resources/cloud-mappings/*.yaml');
  });
});

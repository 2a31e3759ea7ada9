import { describe, expect, it } from 'vitest';
import { fuzzyFilter, fuzzyScore } from './fuzzy';

describe('fuzzy', () => {
  it('matches characters in order, not out of order', () => {
    expect(fuzzyScore('wb1', 'web-1')).not.toBeNull();
    expect(fuzzyScore('1bw', 'web-1')).toBeNull();
  });
  it('ranks prefixes and word starts first', () => {
    const items = ['db-web-1', 'web-10', 'web-1', 'awesome-box'];
    expect(fuzzyFilter(items, 'web1', (x) => x)).toEqual(['web-1', 'web-10', 'db-web-1']);
    expect(fuzzyFilter(items, '', (x) => x)).toHaveLength(4);
  });
});

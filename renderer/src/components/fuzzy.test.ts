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
  it('ranks the query found whole above a scattered match of it', () => {
    const items = ['i-bp1emu000001 Cloud instance 10.0.0.2', 'web 前端 Cloud instance i-bp1emu000002'];
    expect(fuzzyFilter(items, 'i-bp1emu000002', (x) => x)[0]).toBe(items[1]);
  });
});

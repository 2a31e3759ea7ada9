// Fuzzy matching for the command palette: the query's characters in order,
// scored so prefix and word-start matches and contiguous runs rank first.
export function fuzzyScore(query: string, text: string): number | null {
  const q = query.trim().toLowerCase();
  if (!q) return 0;
  const s = text.toLowerCase();
  let score = 0;
  let from = 0;
  let run = 0;
  for (const ch of q) {
    if (ch === ' ') continue;
    const i = s.indexOf(ch, from);
    if (i < 0) return null;
    const wordStart = i === 0 || /[\s\-_./:]/.test(s[i - 1]!);
    run = i === from && from > 0 ? run + 1 : 0;
    score += 1 + (wordStart ? 3 : 0) + run * 2 - Math.min(3, (i - from) * 0.1);
    from = i + 1;
  }
  if (s.startsWith(q)) score += 10;
  // The query whole, as typed (an instance id, a container name in a hint): above any scattered match.
  const at = s.indexOf(q);
  if (at >= 0) score += 20 + (at === 0 || /[\s\-_./:]/.test(s[at - 1]!) ? 5 : 0);
  return score - s.length * 0.01;
}

export function fuzzyFilter<T>(items: readonly T[], query: string, text: (item: T) => string, limit = 50): T[] {
  const scored: { item: T; score: number }[] = [];
  for (const item of items) {
    const score = fuzzyScore(query, text(item));
    if (score !== null) scored.push({ item, score });
  }
  return scored.sort((a, b) => b.score - a.score).slice(0, limit).map((x) => x.item);
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertJournal } from './journal.js';
import { builtinRules } from './rule.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ovl-journal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('AlertJournal', () => {
  it('uses WAL and records its schema version', () => {
    const file = path.join(dir, 'alerts.sqlite');
    new AlertJournal({ file }).close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
  });

  it('refuses a file from a newer console with a clear error', () => {
    const file = path.join(dir, 'alerts.sqlite');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => new AlertJournal({ file })).toThrow(/schema version 99, newer than this console knows \(1\)/);
  });

  it('skips and reports an unreadable rule instead of failing', () => {
    const file = path.join(dir, 'alerts.sqlite');
    const j = new AlertJournal({ file });
    j.saveRule(builtinRules()[0]!, 1);
    j.close();
    const db = new Database(file);
    db.prepare("INSERT INTO rules (id, origin, body, updated_at) VALUES ('bad', 'user', '{\"type\":\"threshold\"}', 1)").run();
    db.close();
    const again = new AlertJournal({ file });
    expect(again.loadRules().map((r) => r.id)).toEqual(['builtin:host-offline']);
    expect(again.readProblems()).toEqual(['rule bad: stored body does not match the rule schema; skipped']);
    again.close();
  });

  it('keeps history until pruned, newest first, filtered by host', () => {
    const j = new AlertJournal({ file: ':memory:' });
    const t = (at: number, host: string) => ({ ruleId: 'r', key: `k{host="${host}"}`, labels: { host }, from: 'pending' as const, to: 'firing' as const, at, value: 1, durationMs: 5, reason: 'condition' as const });
    j.commitEvaluation([], [], [t(10, 'a'), t(20, 'b'), t(30, 'a')], new Map([['r', 'Rule R']]));
    expect(j.history({ host: 'a' }).map((h) => [h.at, h.ruleName])).toEqual([[30, 'Rule R'], [10, 'Rule R']]);
    expect(j.prune(15)).toBe(1);
    expect(j.history().map((h) => h.at)).toEqual([30, 20]);
    j.close();
  });
});

// The alert journal: everything the alert engine must not forget across a
// restart, in its own SQLite file (`<dataDir>/alerts.sqlite`, WAL) so alert
// writes never wait on the history store's locks and vice versa.
// - rules made in the UI and edits of built-in rules (provisioned rules live
//   in the provisioning file, not here);
// - current alert states, so a restart resumes pending and firing alerts
//   without a second firing notification;
// - the transition history (when, value, duration);
// - silences;
// - the notification bookkeeping (what was sent per alert, the group outbox) and the
//   delivery attempts with their (redacted) errors.
// Schema versions in PRAGMA user_version; each migration runs in one
// transaction with its version bump.
import Database from 'better-sqlite3';
import { AlertRule } from './rule.js';
import { AlertState, DeliveryRecord, Silence, type AlertTransition, type HistoryFilter, type TransitionRecord } from './model.js';
import { EMPTY_DELIVERY_STATE, type AlertDelivery, type DeliveryState, type OutboxItem } from './planNotifications.js';
import { preparePrivateDatabaseFile } from '../dataFile.js';

interface Migration {
  readonly description: string;
  up(db: Database.Database): void;
}

const MIGRATIONS: readonly Migration[] = [
  {
    description: 'rules, alert states, transitions, silences, notification bookkeeping, deliveries',
    up(db) {
      db.exec(`
        CREATE TABLE rules (
          id         TEXT PRIMARY KEY,
          origin     TEXT NOT NULL,
          body       TEXT NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE TABLE alert_states (
          rule_id    TEXT NOT NULL,
          series_key TEXT NOT NULL,
          body       TEXT NOT NULL,
          PRIMARY KEY (rule_id, series_key)
        ) WITHOUT ROWID;
        CREATE TABLE transitions (
          id          INTEGER PRIMARY KEY,
          at          INTEGER NOT NULL,
          rule_id     TEXT NOT NULL,
          rule_name   TEXT NOT NULL,
          series_key  TEXT NOT NULL,
          host        TEXT,
          labels      TEXT NOT NULL,
          from_status TEXT NOT NULL,
          to_status   TEXT NOT NULL,
          value       REAL,
          duration_ms INTEGER NOT NULL,
          reason      TEXT NOT NULL
        );
        CREATE INDEX transitions_by_at ON transitions (at);
        CREATE INDEX transitions_by_rule ON transitions (rule_id, at);
        CREATE INDEX transitions_by_host ON transitions (host, at);
        CREATE TABLE silences (
          id      TEXT PRIMARY KEY,
          ends_at INTEGER NOT NULL,
          body    TEXT NOT NULL
        );
        CREATE TABLE kv (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        );
        -- What was sent per firing alert: one row each, so a cycle writes only the alerts it touched.
        CREATE TABLE notify_alerts (
          alert_id TEXT PRIMARY KEY,
          body     TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE deliveries (
          id              INTEGER PRIMARY KEY,
          notification_id TEXT NOT NULL,
          rule_id         TEXT NOT NULL,
          channel         TEXT NOT NULL,
          title           TEXT NOT NULL,
          status          TEXT NOT NULL,
          attempts        INTEGER NOT NULL,
          last_error      TEXT,
          created_at      INTEGER NOT NULL,
          finished_at     INTEGER
        );
        CREATE INDEX deliveries_by_created ON deliveries (created_at);
      `);
    },
  },
];

export interface AlertJournalOptions {
  /** `<dataDir>/alerts.sqlite`, or ':memory:' in tests. */
  readonly file: string;
  /** Path of a better-sqlite3 binary built for another ABI (the Electron host). */
  readonly nativeBinding?: string;
}

export interface DeliveryFilter {
  readonly status?: DeliveryRecord['status'];
  readonly ruleId?: string;
  readonly limit?: number;
}

export class AlertJournal {
  private readonly db: Database.Database;
  private readonly problems: string[] = [];

  constructor(options: AlertJournalOptions) {
    preparePrivateDatabaseFile(options.file);
    this.db = new Database(options.file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    if (options.file !== ':memory:') this.db.pragma('journal_mode = WAL');
    // NORMAL is durable enough in WAL mode: a power cut may lose the last
    // transitions, never corrupt the file.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 2000');
    this.migrate();
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(`alerts database is at schema version ${version}, newer than this console knows (${MIGRATIONS.length}); update Overlook`);
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        MIGRATIONS[v]!.up(this.db);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  /** Rows that could not be read back (a hand-edited or older body), skipped and reported here rather than crashing the engine. */
  readProblems(): string[] {
    return this.problems.splice(0);
  }

  // ------------------------------------------------------------------ rules

  loadRules(): AlertRule[] {
    const out: AlertRule[] = [];
    for (const row of this.db.prepare('SELECT id, body FROM rules ORDER BY id').all() as { id: string; body: string }[]) {
      const parsed = safeJson(row.body, AlertRule);
      if (parsed) out.push(parsed);
      else this.problems.push(`rule ${row.id}: stored body does not match the rule schema; skipped`);
    }
    return out;
  }

  saveRule(rule: AlertRule, now: number): void {
    this.db
      .prepare('INSERT INTO rules (id, origin, body, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET origin = excluded.origin, body = excluded.body, updated_at = excluded.updated_at')
      .run(rule.id, rule.origin, JSON.stringify(rule), now);
  }

  deleteRule(id: string): void {
    this.db.prepare('DELETE FROM rules WHERE id = ?').run(id);
  }

  // ------------------------------------------------------------------ states + transitions

  loadStates(): AlertState[] {
    const out: AlertState[] = [];
    for (const row of this.db.prepare('SELECT rule_id, series_key, body FROM alert_states').all() as { rule_id: string; series_key: string; body: string }[]) {
      const parsed = safeJson(row.body, AlertState);
      if (parsed) out.push(parsed);
      else this.problems.push(`alert state ${row.rule_id} ${row.series_key}: unreadable; skipped`);
    }
    return out;
  }

  /**
   * One evaluation's changes in one transaction: states written or removed,
   * transitions appended with the rule's current name.
   */
  commitEvaluation(changed: readonly AlertState[], removed: readonly { ruleId: string; key: string }[], transitions: readonly AlertTransition[], ruleNames: ReadonlyMap<string, string>): void {
    if (changed.length === 0 && removed.length === 0 && transitions.length === 0) return;
    const put = this.db.prepare('INSERT INTO alert_states (rule_id, series_key, body) VALUES (?, ?, ?) ON CONFLICT (rule_id, series_key) DO UPDATE SET body = excluded.body');
    const del = this.db.prepare('DELETE FROM alert_states WHERE rule_id = ? AND series_key = ?');
    const add = this.db.prepare(
      'INSERT INTO transitions (at, rule_id, rule_name, series_key, host, labels, from_status, to_status, value, duration_ms, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const s of changed) put.run(s.ruleId, s.key, JSON.stringify(s));
      for (const r of removed) del.run(r.ruleId, r.key);
      for (const t of transitions) {
        add.run(
          t.at,
          t.ruleId,
          ruleNames.get(t.ruleId) ?? t.ruleId,
          t.key,
          t.labels.host ?? null,
          JSON.stringify(t.labels),
          t.from,
          t.to,
          t.value !== null && Number.isFinite(t.value) ? t.value : null,
          Math.round(t.durationMs),
          t.reason,
        );
      }
    })();
  }

  /** Newest first. */
  history(filter: HistoryFilter = {}): TransitionRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.ruleId !== undefined) (where.push('rule_id = ?'), args.push(filter.ruleId));
    if (filter.host !== undefined) (where.push('host = ?'), args.push(filter.host));
    if (filter.from !== undefined) (where.push('at >= ?'), args.push(filter.from));
    if (filter.to !== undefined) (where.push('at <= ?'), args.push(filter.to));
    const sql = `SELECT * FROM transitions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ?`;
    args.push(filter.limit ?? 500);
    return (this.db.prepare(sql).all(...args) as TransitionRow[]).map((r) => ({
      id: r.id,
      ruleId: r.rule_id,
      ruleName: r.rule_name,
      key: r.series_key,
      labels: JSON.parse(r.labels) as Record<string, string>,
      from: r.from_status as TransitionRecord['from'],
      to: r.to_status as TransitionRecord['to'],
      at: r.at,
      value: r.value,
      durationMs: r.duration_ms,
      reason: r.reason as TransitionRecord['reason'],
    }));
  }

  /** Drop history and finished deliveries older than `before`; returns rows deleted. */
  prune(before: number): number {
    return this.db.transaction(() => {
      const a = this.db.prepare('DELETE FROM transitions WHERE at < ?').run(before).changes;
      const b = this.db.prepare("DELETE FROM deliveries WHERE created_at < ? AND status != 'sending'").run(before).changes;
      const c = this.db.prepare('DELETE FROM silences WHERE ends_at < ?').run(before).changes;
      return a + b + c;
    })();
  }

  // ------------------------------------------------------------------ silences

  loadSilences(): Silence[] {
    const out: Silence[] = [];
    for (const row of this.db.prepare('SELECT id, body FROM silences ORDER BY ends_at').all() as { id: string; body: string }[]) {
      const parsed = safeJson(row.body, Silence);
      if (parsed) out.push(parsed);
      else this.problems.push(`silence ${row.id}: unreadable; skipped`);
    }
    return out;
  }

  saveSilence(s: Silence): void {
    this.db.prepare('INSERT INTO silences (id, ends_at, body) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET ends_at = excluded.ends_at, body = excluded.body').run(s.id, s.endsAt, JSON.stringify(s));
  }

  deleteSilence(id: string): boolean {
    return this.db.prepare('DELETE FROM silences WHERE id = ?').run(id).changes > 0;
  }

  // ------------------------------------------------------------------ notification bookkeeping

  loadDeliveryState(): DeliveryState {
    const alerts: Record<string, AlertDelivery> = {};
    for (const row of this.db.prepare('SELECT alert_id, body FROM notify_alerts').all() as { alert_id: string; body: string }[]) {
      try {
        const d = JSON.parse(row.body) as AlertDelivery;
        if (typeof d.episodeFiredAt === 'number') alerts[row.alert_id] = d;
        else throw new Error('bad');
      } catch {
        this.problems.push(`notification bookkeeping of ${row.alert_id} unreadable; it may be notified once more`);
      }
    }
    let outbox: OutboxItem[] = [];
    const row = this.db.prepare("SELECT value FROM kv WHERE key = 'outbox'").get() as { value: string } | undefined;
    if (row) {
      try {
        const parsed = JSON.parse(row.value) as unknown;
        if (Array.isArray(parsed)) outbox = parsed as OutboxItem[];
      } catch {
        this.problems.push('notification outbox unreadable; queued notifications dropped');
      }
    }
    return Object.keys(alerts).length || outbox.length ? { alerts, outbox } : EMPTY_DELIVERY_STATE;
  }

  /**
   * Write what changed between two bookkeeping states: the planner keeps the
   * objects of untouched alerts, so identity tells what to write.
   */
  saveDeliveryState(before: DeliveryState, after: DeliveryState): void {
    const put = this.db.prepare('INSERT INTO notify_alerts (alert_id, body) VALUES (?, ?) ON CONFLICT (alert_id) DO UPDATE SET body = excluded.body');
    const del = this.db.prepare('DELETE FROM notify_alerts WHERE alert_id = ?');
    this.db.transaction(() => {
      for (const [id, d] of Object.entries(after.alerts)) if (before.alerts[id] !== d) put.run(id, JSON.stringify(d));
      for (const id of Object.keys(before.alerts)) if (!(id in after.alerts)) del.run(id);
      if (before.outbox !== after.outbox) {
        this.db.prepare("INSERT INTO kv (key, value) VALUES ('outbox', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(JSON.stringify(after.outbox));
      }
    })();
  }

  startDelivery(d: { notificationId: string; ruleId: string; channel: string; title: string; createdAt: number }): number {
    return Number(
      this.db
        .prepare("INSERT INTO deliveries (notification_id, rule_id, channel, title, status, attempts, created_at) VALUES (?, ?, ?, ?, 'sending', 0, ?)")
        .run(d.notificationId, d.ruleId, d.channel, d.title, d.createdAt).lastInsertRowid,
    );
  }

  updateDelivery(id: number, update: { status: DeliveryRecord['status']; attempts: number; lastError?: string; finishedAt?: number }): void {
    this.db
      .prepare('UPDATE deliveries SET status = ?, attempts = ?, last_error = ?, finished_at = ? WHERE id = ?')
      .run(update.status, update.attempts, update.lastError ?? null, update.finishedAt ?? null, id);
  }

  /** Deliveries still `sending` when the console stopped: marked failed at start, so none stays "sending" forever. */
  abandonUnfinishedDeliveries(now: number): number {
    return this.db
      .prepare("UPDATE deliveries SET status = 'failed', last_error = 'the console stopped before delivery finished', finished_at = ? WHERE status = 'sending'")
      .run(now).changes;
  }

  /** Newest first. */
  deliveries(filter: DeliveryFilter = {}): DeliveryRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.status) (where.push('status = ?'), args.push(filter.status));
    if (filter.ruleId) (where.push('rule_id = ?'), args.push(filter.ruleId));
    args.push(filter.limit ?? 200);
    const rows = this.db.prepare(`SELECT * FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`).all(...args) as DeliveryRow[];
    return rows.map((r) => ({
      id: r.id,
      notificationId: r.notification_id,
      ruleId: r.rule_id,
      channel: r.channel,
      title: r.title,
      status: r.status as DeliveryRecord['status'],
      attempts: r.attempts,
      ...(r.last_error !== null ? { lastError: r.last_error } : {}),
      createdAt: r.created_at,
      ...(r.finished_at !== null ? { finishedAt: r.finished_at } : {}),
    }));
  }

  close(): void {
    this.db.close();
  }
}

interface TransitionRow {
  id: number;
  at: number;
  rule_id: string;
  rule_name: string;
  series_key: string;
  host: string | null;
  labels: string;
  from_status: string;
  to_status: string;
  value: number | null;
  duration_ms: number;
  reason: string;
}

interface DeliveryRow {
  id: number;
  notification_id: string;
  rule_id: string;
  channel: string;
  title: string;
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
  finished_at: number | null;
}

function safeJson<T>(text: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): T | undefined {
  try {
    const r = schema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

// How far each cloud account's collection got, kept in
// <dataDir>/cloud-progress.json so a collector started again (the console
// restarted, the laptop woke up, the account or a mapping file was edited)
// backfills from there instead of from its first-start lookback of 15 minutes.
// One time per account, not one per series: it is the time up to which every
// series of the account was complete (CloudCollectorStatus.collectedUntil), so
// resuming from it re-asks at most what some series already had, which the
// store drops as duplicates. A damaged file is set aside and collection starts
// as on a first start.
import path from 'node:path';
import { z } from 'zod';
import { readJsonDataFile, writeJsonDataFile } from '../dataFile.js';

export const CLOUD_PROGRESS_FILE = 'cloud-progress.json';

const ProgressFile = z.object({
  version: z.literal(1),
  accounts: z.record(z.string(), z.object({ provider: z.string(), collectedUntil: z.number().int().nonnegative() })),
});

export interface AccountProgress {
  readonly provider: string;
  readonly collectedUntil: number;
}

export class CloudProgress {
  private readonly file: string;
  private readonly accounts = new Map<string, AccountProgress>();

  /** `problem` gets what was wrong with the file, for the log. */
  constructor(
    dataDir: string,
    private readonly problem: (message: string) => void,
  ) {
    this.file = path.join(dataDir, CLOUD_PROGRESS_FILE);
    const read = readJsonDataFile(this.file, (value) => ProgressFile.parse(value));
    if (read.state === 'ok') for (const [name, p] of Object.entries(read.value.accounts)) this.accounts.set(name, p);
    else if (read.state !== 'missing') problem(read.problem);
  }

  /** Where a collector of this account resumes; undefined for an account not seen before (or seen with another cloud). */
  resumeFrom(account: string, provider: string): number | undefined {
    const p = this.accounts.get(account);
    return p && p.provider === provider ? p.collectedUntil : undefined;
  }

  /** Records progress; written only when it moved forward. */
  record(account: string, provider: string, collectedUntil: number | null): void {
    if (collectedUntil === null) return;
    const p = this.accounts.get(account);
    if (p && p.provider === provider && p.collectedUntil >= collectedUntil) return;
    this.accounts.set(account, { provider, collectedUntil });
    this.save();
  }

  forget(account: string): void {
    if (this.accounts.delete(account)) this.save();
  }

  private save(): void {
    try {
      writeJsonDataFile(this.file, { version: 1, accounts: Object.fromEntries(this.accounts) });
    } catch (err) {
      // A full disk: collection goes on; a restart then resumes from what was last written.
      this.problem(`${this.file} could not be written: ${(err as Error).message}`);
    }
  }
}

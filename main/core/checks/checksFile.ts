// Service checks added in the UI, kept in <dataDir>/checks.json (no secret:
// a check added in the UI has no auth; give one by reference in the provisioning file).
import { z } from 'zod';
import { CheckDraft } from '../../common/checks.js';
import { storedListFile } from '../managed/storedList.js';

export const StoredCheck = CheckDraft;
export type StoredCheck = z.output<typeof StoredCheck>;

export const checksFile = storedListFile({ file: 'checks.json', key: 'checks', what: 'service check', entry: StoredCheck as unknown as z.ZodType<StoredCheck> });

// Service checks added in the UI, kept in <dataDir>/checks.json. No secret is
// in it: a check's password or token and its secret-looking header values
// (Authorization, Cookie, X-Api-Key, *token*…) are in the console's secret
// store under `check:<name>:auth` and `check:<name>:header:<header>`; the file
// keeps the auth's type and user name and those headers with an empty value.
import { z } from 'zod';
import { CheckDraft } from '../../common/checks.js';
import { storedListFile } from '../managed/storedList.js';

export const StoredCheck = CheckDraft;
export type StoredCheck = z.output<typeof StoredCheck>;

export const checksFile = storedListFile({ file: 'checks.json', key: 'checks', what: 'service check', entry: StoredCheck as unknown as z.ZodType<StoredCheck> });

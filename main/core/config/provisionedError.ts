// What the UI is told when it tries to change what the provisioning file
// declares: the file is the source of truth for its entries and fields, and
// an edit in the UI would be undone at the next reload. One wording, one
// error code (`provisioned`), whichever feature refuses.
import { RpcError } from '../../common/contract.js';

/** An entry the file defines (a host, a cloud account, an alert rule): `web-1 is defined in the provisioning file; change it there`. */
export function provisionedEntryMessage(name: string): string {
  return `${name} is defined in the provisioning file; change it there`;
}

export function provisionedEntryError(name: string): RpcError {
  return new RpcError('provisioned', provisionedEntryMessage(name));
}

/** Fields the file (or a command-line flag) sets: `retention is set by the provisioning file and cannot be changed here`. */
export function provisionedFieldsError(fields: readonly string[], by = 'the provisioning file'): RpcError {
  return new RpcError('provisioned', `${fields.join(', ')} ${fields.length > 1 ? 'are' : 'is'} set by ${by} and cannot be changed here`);
}

// For the client tests: the typed error a call fails with (anything else is rethrown).
import { CloudApiError } from '../core/cloud/clients/cloudErrors.js';

export async function expectCloudError(promise: Promise<unknown>): Promise<CloudApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CloudApiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

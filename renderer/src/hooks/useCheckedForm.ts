// What the add/edit dialogs share (SSH hosts, cloud accounts): fields are
// checked as they are left, Test and Save refuse to run until every field is
// right (and then mark them all), and one error line says why a call failed.
import { useState } from 'react';

export function useCheckedForm<Field extends string, Draft, TestResult>(options: { invalid: readonly Field[]; draft: Draft | null; fixFieldsMessage: string }) {
  const [shown, setShown] = useState<Set<Field>>(new Set());
  const [busy, setBusy] = useState<'test' | 'save' | null>(null);
  const [test, setTest] = useState<TestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const touch = (field: Field) => setShown((s) => new Set(s).add(field));
  const bad = (field: Field) => shown.has(field) && options.invalid.includes(field);
  /** The draft when the form is right; else marks every wrong field and says so. */
  const guard = (): Draft | null => {
    if (options.draft !== null) return options.draft;
    setShown(new Set([...shown, ...options.invalid]));
    setError(options.fixFieldsMessage);
    return null;
  };
  const run = async (what: 'test' | 'save', fn: (draft: Draft) => Promise<void>) => {
    const draft = guard();
    if (draft === null) return;
    setBusy(what);
    setError(null);
    if (what === 'test') setTest(null);
    try {
      await fn(draft);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };
  return {
    touch,
    bad,
    busy,
    test,
    /** Clears the test report (the form changed since). */
    resetTest: () => setTest(null),
    error,
    runTest: (fn: (draft: Draft) => Promise<TestResult>) => run('test', async (d) => setTest(await fn(d))),
    runSave: (fn: (draft: Draft) => Promise<void>) => run('save', fn),
  };
}

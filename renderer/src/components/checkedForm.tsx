// What the add/edit dialogs share (SSH hosts, cloud accounts): fields are
// checked as they are left, Test and Save refuse to run until every field is
// right (and then mark them all), and one error line says why a call failed.
import { useState, type ReactNode } from 'react';

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

export interface TextFieldProps {
  label: string;
  value: string;
  onChange(value: string): void;
  onBlur(): void;
  invalid: boolean;
  /** Shown under the field while it is invalid (after it was left). */
  problem: ReactNode;
  testId: string;
  hint?: string;
  type?: string;
  className?: string;
  disabled?: boolean;
  placeholder?: string;
}

/** A labelled input with its hint, or its problem once it is wrong. Secrets (type password) are never autofilled. */
export function TextField({ label, value, onChange, onBlur, invalid, problem, testId, hint, type, className, disabled, placeholder }: TextFieldProps) {
  return (
    <label className={`field ${className ?? ''}`}>
      <span className="field-label">{label}</span>
      <input
        type={type ?? 'text'}
        value={value}
        disabled={disabled}
        placeholder={placeholder}
        aria-invalid={invalid}
        data-testid={testId}
        autoComplete={type === 'password' ? 'new-password' : 'off'}
        spellCheck={false}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onBlur}
      />
      {hint && !invalid && <span className="field-hint">{hint}</span>}
      {invalid && problem}
    </label>
  );
}

/** The error line and the Test · Cancel · Save row at a dialog's foot; Save submits the form. */
export function FormFooter({ testIdPrefix, error, busy, onTest, onClose, labels }: {
  testIdPrefix: string;
  error: string | null;
  busy: 'test' | 'save' | null;
  onTest(): void;
  onClose(): void;
  labels: { test: string; testing: string; cancel: string; save: string; saving: string };
}) {
  return (
    <>
      {error && (
        <p className="form-error" role="alert" data-testid={`${testIdPrefix}-error`}>
          {error}
        </p>
      )}
      <div className="form-actions modal-actions">
        <button type="button" className="btn" data-testid={`${testIdPrefix}-test`} disabled={busy !== null} onClick={onTest}>
          {busy === 'test' ? labels.testing : labels.test}
        </button>
        <span className="spacer" />
        <button type="button" className="btn btn--plain" onClick={onClose}>
          {labels.cancel}
        </button>
        <button type="submit" className="btn btn--primary" data-testid={`${testIdPrefix}-save`} disabled={busy !== null}>
          {busy === 'save' ? labels.saving : labels.save}
        </button>
      </div>
    </>
  );
}

type FieldExtra = Pick<TextFieldProps, 'hint' | 'type' | 'className' | 'disabled' | 'placeholder'>;

/** A `(field, label, extra) => <TextField>` for a form whose state holds each field's text under its name. */
export function textFieldsFor<State extends object, Field extends string>(
  form: State,
  set: (patch: Partial<State>) => void,
  checks: { touch(field: Field): void; bad(field: Field): boolean },
  problem: (field: Field) => ReactNode,
  testIdPrefix: string,
) {
  return (field: Field & keyof State, label: string, extra: FieldExtra = {}) => (
    <TextField
      label={label}
      value={String(form[field])}
      onChange={(value) => set({ [field]: value } as Partial<State>)}
      onBlur={() => checks.touch(field)}
      invalid={checks.bad(field)}
      problem={problem(field)}
      testId={`${testIdPrefix}-${field}`}
      {...extra}
    />
  );
}

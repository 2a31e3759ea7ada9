// A dialog's text fields: a labelled input that shows its hint, or its problem
// once it was left wrong (see useCheckedForm).
import type { ReactNode } from 'react';

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

/** The error line and the Test · Cancel · Save row at a dialog's foot (Test only when the dialog can test); Save submits the form. */
export function FormFooter({ testIdPrefix, error, busy, onTest, onClose, labels }: {
  testIdPrefix: string;
  error: string | null;
  busy: 'test' | 'save' | null;
  onTest?: () => void;
  onClose(): void;
  labels: { test?: string; testing?: string; cancel: string; save: string; saving: string };
}) {
  return (
    <>
      {error && (
        <p className="form-error" role="alert" data-testid={`${testIdPrefix}-error`}>
          {error}
        </p>
      )}
      <div className="form-actions modal-actions">
        {onTest && (
          <button type="button" className="btn" data-testid={`${testIdPrefix}-test`} disabled={busy !== null} onClick={onTest}>
            {busy === 'test' ? labels.testing : labels.test}
          </button>
        )}
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

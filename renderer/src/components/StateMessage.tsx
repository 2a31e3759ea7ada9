import type { ReactNode } from 'react';

/** Empty, loading and error states: what happened and what to do next. */
export function StateMessage({
  tone,
  title,
  children,
  action,
  testId,
}: {
  tone: 'loading' | 'empty' | 'error';
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  testId?: string;
}) {
  return (
    <div className={`state state--${tone}`} role={tone === 'error' ? 'alert' : 'status'} data-testid={testId}>
      {tone === 'loading' && <span className="spinner" aria-hidden="true" />}
      <h2 className="state-title">{title}</h2>
      {children && <p className="state-body">{children}</p>}
      {action && <div className="state-action">{action}</div>}
    </div>
  );
}

// The top of every screen. Its h1 is where App puts keyboard and screen
// reader focus after a navigation (hence tabIndex -1). A list screen's head
// is the title, a muted count and the actions at the right; a detail screen's
// is the way back, the title with its badges, and its facts.
import { Fragment, type ReactNode } from 'react';
import { MISSING } from '../../../main/common/format';
import type { MessageKey } from '../i18n/catalogue';
import { useI18n } from '../i18n/useI18n';

function ScreenTitle({ children, className, hint }: { children: ReactNode; className?: string; hint?: string }) {
  return (
    <h1 tabIndex={-1} className={className ? `screen-title ${className}` : 'screen-title'} title={hint}>
      {children}
    </h1>
  );
}

export interface ScreenHeaderProps {
  title: string;
  /** A count or caption beside the title ("12 hosts"); nothing when undefined. */
  meta?: ReactNode;
  metaTestId?: string;
  /** Buttons and controls, at the right end. */
  actions?: ReactNode;
}

/** The head of a list screen (Overview, Top-K, Alerts, Settings, Clouds). */
export function ScreenHeader({ title, meta, metaTestId, actions }: ScreenHeaderProps) {
  return (
    <div className="screen-head">
      <ScreenTitle>{title}</ScreenTitle>
      {meta !== undefined && (
        <span className="muted" data-testid={metaTestId}>
          {meta}
        </span>
      )}
      {actions && <div className="screen-head-tools">{actions}</div>}
    </div>
  );
}

export interface Crumb {
  href: string;
  label: string;
  testId?: string;
}

/** A fact under its label: `[key, value, hover text]`; no value shows as missing. */
export type Fact = readonly [key: MessageKey, value: string | undefined, hint?: string];

export interface DetailHeaderProps {
  /** The screens above this one, from the top: one reads "← Overview", more read as a path "Overview / web-1". */
  back: readonly Crumb[];
  title: string;
  titleClassName?: string;
  /** Hover text of the title (the id behind a display name). */
  titleHint?: string;
  /** Badges and notes beside the title. */
  children?: ReactNode;
  facts?: { label: string; items: readonly Fact[]; /** Facts shown in monospace (ids, paths, versions). */ mono?: readonly MessageKey[] };
}

/** The head of a detail screen (a host, a container, a cloud account or instance). */
export function DetailHeader({ back, title, titleClassName, titleHint, children, facts }: DetailHeaderProps) {
  const { t } = useI18n();
  return (
    <>
      <nav className="breadcrumb" aria-label={t('nav.label')}>
        {back.length === 1 ? (
          <a href={back[0]!.href} data-testid={back[0]!.testId}>
            <span aria-hidden="true">←</span> {back[0]!.label}
          </a>
        ) : (
          back.map((c, i) => (
            <Fragment key={c.href}>
              {i > 0 && <span aria-hidden="true"> / </span>}
              <a href={c.href} data-testid={c.testId}>
                {c.label}
              </a>
            </Fragment>
          ))
        )}
      </nav>
      <header className="detail-head">
        <div className="detail-title">
          <ScreenTitle className={titleClassName} hint={titleHint}>
            {title}
          </ScreenTitle>
          {children}
        </div>
        {facts && (
          <dl className="facts" aria-label={facts.label}>
            {facts.items.map(([key, value, hint]) => (
              <div key={key}>
                <dt>{t(key)}</dt>
                <dd className={facts.mono?.includes(key) ? 'mono' : undefined} title={hint}>
                  {value ?? MISSING}
                </dd>
              </div>
            ))}
          </dl>
        )}
      </header>
    </>
  );
}

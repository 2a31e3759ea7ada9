// Ctrl/Cmd-K: go to any screen or entity (hosts, containers, cloud accounts
// and instances, alert rules) or run a common action (add a host, silence a
// firing alert, switch the range, the theme, the language) by typing. Arrow
// keys move, Enter goes, Escape closes and gives focus back to where it was.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ContainerRow } from '../../../main/common/contract';
import { core } from '../coreClient';
import { useI18n } from '../i18n/useI18n';
import { hrefFor } from '../router';
import { useAlerts } from '../stores/alerts';
import { useClouds } from '../stores/clouds';
import { useHosts } from '../stores/hosts';
import { usePrefs } from '../stores/prefs';
import { selectRange } from '../stores/timeSelection';
import { requestDialog } from '../stores/uiRequests';
import { fuzzyFilter } from './fuzzy';
import { paletteCommands, type PaletteAction, type PaletteCommand } from './paletteCommands';

/** Hosts whose containers are asked for when the palette opens, at most (the busiest first would need a ranking; the first ones will do). */
const MAX_CONTAINER_HOSTS = 50;

export function CommandPalette() {
  const { t, lang } = useI18n();
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);
  const hosts = useHosts((s) => s.hosts);
  const historyOnly = useHosts((s) => s.historyOnly);
  const summaries = useHosts((s) => s.summaries);
  const cloudAccounts = useClouds((s) => s.accounts);
  const cloudInstances = useClouds((s) => s.instances);
  const rules = useAlerts((s) => s.rules);
  const alerts = useAlerts((s) => s.alerts);
  const [containers, setContainers] = useState<Record<string, readonly ContainerRow[]>>({});

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        returnFocus.current = document.activeElement as HTMLElement | null;
        setOpen((o) => !o);
        setQuery('');
        setActive(0);
      }
    };
    const onOpen = () => {
      returnFocus.current = document.activeElement as HTMLElement | null;
      setOpen(true);
      setQuery('');
      setActive(0);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('overlook:palette', onOpen);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('overlook:palette', onOpen);
    };
  }, []);

  useEffect(() => {
    if (open) inputRef.current?.focus();
  }, [open]);

  // The containers of the hosts that have some, asked for each time the palette opens (they come and go).
  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    const withContainers = hosts.filter((h) => (summaries[h.id]?.containersTotal ?? 0) > 0).slice(0, MAX_CONTAINER_HOSTS);
    void Promise.all(
      withContainers.map((h) =>
        core.call('containers/list', { hostId: h.id }).then(
          (list) => [h.id, list?.containers ?? []] as const,
          () => [h.id, []] as const,
        ),
      ),
    ).then((pairs) => !cancelled && setContainers(Object.fromEntries(pairs)));
    return () => {
      cancelled = true;
    };
    // Asked once per opening, not per sample: hosts and summaries are read as they are then.
  }, [open]);

  const commands = useMemo(
    () => paletteCommands({ hosts, historyOnly, containers, cloudAccounts, cloudInstances, rules, alerts, t, lang }),
    [hosts, historyOnly, containers, cloudAccounts, cloudInstances, rules, alerts, t, lang],
  );

  const results = useMemo(() => fuzzyFilter(commands, query, (c) => `${c.label} ${c.hint} ${c.keywords ?? ''}`, 30), [commands, query]);
  const index = Math.min(active, Math.max(0, results.length - 1));

  if (!open) return null;

  const close = () => {
    setOpen(false);
    returnFocus.current?.focus?.();
  };
  const go = (c: PaletteCommand | undefined) => {
    if (!c) return;
    setOpen(false);
    if (c.go) {
      window.location.hash = hrefFor(c.go.route);
      if (c.go.focus) focusWhenShown(c.go.focus);
    }
    if (c.run) run(c.run);
  };
  const run = (action: PaletteAction) => {
    const prefs = usePrefs.getState();
    switch (action.kind) {
      case 'add-host':
      case 'import-hosts':
        requestDialog(action.kind);
        window.location.hash = hrefFor({ screen: 'overview' });
        break;
      case 'add-cloud':
        requestDialog('add-cloud');
        window.location.hash = hrefFor({ screen: 'clouds' });
        break;
      case 'add-check':
        requestDialog('add-check');
        window.location.hash = hrefFor({ screen: 'checks' });
        break;
      case 'silence':
        window.location.hash = hrefFor({ screen: 'alerts' });
        void core.call('alerts/silence', { alertId: action.alertId, scope: 'alert', durationMs: action.durationMs }).catch(() => undefined);
        break;
      case 'range':
        selectRange(action.range);
        break;
      case 'theme':
        prefs.setTheme(action.theme);
        returnFocus.current?.focus?.();
        break;
      case 'lang':
        prefs.setLang(action.lang);
        returnFocus.current?.focus?.();
        break;
    }
  };

  return (
    <div className="palette-backdrop" onMouseDown={close}>
      <div
        className="palette"
        role="dialog"
        aria-modal="true"
        aria-label={t('palette.label')}
        data-testid="palette"
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            close();
          } else if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((index + 1) % Math.max(1, results.length));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((index - 1 + results.length) % Math.max(1, results.length));
          } else if (e.key === 'Enter') {
            e.preventDefault();
            go(results[index]);
          } else if (e.key === 'Tab') {
            e.preventDefault(); // focus stays in the dialog
          }
        }}
      >
        <input
          ref={inputRef}
          className="input palette-input"
          role="combobox"
          aria-expanded="true"
          aria-controls="palette-list"
          aria-activedescendant={results[index] ? `palette-${index}` : undefined}
          placeholder={t('palette.placeholder')}
          value={query}
          data-testid="palette-input"
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
        />
        <ul id="palette-list" role="listbox" className="palette-list">
          {results.map((c, i) => (
            <li
              key={c.id}
              id={`palette-${i}`}
              role="option"
              aria-selected={i === index}
              className="palette-item"
              data-testid="palette-item"
              data-command={c.id}
              onMouseEnter={() => setActive(i)}
              onClick={() => go(c)}
            >
              <span className="palette-item-label">{c.label}</span>
              <span className="muted small palette-item-hint">{c.hint}</span>
            </li>
          ))}
          {results.length === 0 && <li className="muted palette-empty">{t('palette.noResults')}</li>}
        </ul>
        <p className="palette-help muted small">{t('palette.help')}</p>
      </div>
    </div>
  );
}

/** Scrolls to an element of the screen just opened (a rule's row) once it is there, and marks it for a moment. */
function focusWhenShown(selector: string): void {
  let tries = 0;
  const look = () => {
    const el = document.querySelector<HTMLElement>(selector);
    if (el) {
      el.scrollIntoView({ block: 'center' });
      el.classList.add('flash');
      setTimeout(() => el.classList.remove('flash'), 2000);
    } else if (tries++ < 40) setTimeout(look, 100);
  };
  setTimeout(look, 0);
}

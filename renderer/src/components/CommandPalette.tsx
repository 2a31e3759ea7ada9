// Ctrl/Cmd-K: jump to a host or a screen by typing. Arrow keys move, Enter
// goes, Escape closes and gives focus back to where it was.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useI18n } from '../i18n/useI18n';
import { hrefFor, type Route } from '../router';
import { useHosts } from '../stores/hosts';
import { fuzzyFilter } from './fuzzy';

interface Command {
  id: string;
  label: string;
  hint: string;
  route: Route;
}

export function CommandPalette() {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);
  const hosts = useHosts((s) => s.hosts);
  const historyOnly = useHosts((s) => s.historyOnly);

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

  const commands = useMemo<Command[]>(() => {
    const screens: Command[] = [
      { id: 'screen:overview', label: t('nav.overview'), hint: t('palette.screen'), route: { screen: 'overview' } },
      { id: 'screen:topk', label: t('nav.topk'), hint: t('palette.screen'), route: { screen: 'topk' } },
    ];
    const hostCommands = hosts.map<Command>((h) => ({ id: `host:${h.id}`, label: h.name, hint: t('palette.host'), route: { screen: 'host', hostId: h.id } }));
    const old = historyOnly.map<Command>((h) => ({ id: `host:${h.hostId}`, label: h.hostId, hint: t('fleet.notConfigured'), route: { screen: 'host', hostId: h.hostId } }));
    return [...screens, ...hostCommands, ...old];
  }, [hosts, historyOnly, t]);

  const results = useMemo(() => fuzzyFilter(commands, query, (c) => c.label, 30), [commands, query]);
  const index = Math.min(active, Math.max(0, results.length - 1));

  if (!open) return null;

  const close = () => {
    setOpen(false);
    returnFocus.current?.focus?.();
  };
  const go = (c: Command | undefined) => {
    if (!c) return;
    setOpen(false);
    window.location.hash = hrefFor(c.route);
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
              onMouseEnter={() => setActive(i)}
              onClick={() => go(c)}
            >
              <span>{c.label}</span>
              <span className="muted small">{c.hint}</span>
            </li>
          ))}
          {results.length === 0 && <li className="muted palette-empty">{t('palette.noResults')}</li>}
        </ul>
        <p className="palette-help muted small">{t('palette.help')}</p>
      </div>
    </div>
  );
}

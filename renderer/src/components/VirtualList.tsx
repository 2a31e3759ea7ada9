// A windowed list: renders only the rows in view (plus a few), positioned in
// one tall spacer, so 500 or 5,000 hosts cost the same to draw. Rows have a
// fixed height. Arrow keys, Home/End and PageUp/PageDown move focus between
// rows, scrolling the focused one into view, since off-screen rows do not
// exist for Tab to reach.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface VirtualListProps<T> {
  items: readonly T[];
  rowHeight: number;
  /** Height of the scrolling viewport in px. */
  height: number;
  overscan?: number;
  itemKey(item: T, index: number): string;
  renderItem(item: T, index: number): ReactNode;
  className?: string;
  label?: string;
  testId?: string;
}

/** The rows [start, end) to render for a scroll position. Pure. */
export function visibleRange(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan: number): [number, number] {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + viewport) / rowHeight);
  return [Math.max(0, first - overscan), Math.min(count, last + overscan)];
}

export function VirtualList<T>({ items, rowHeight, height, overscan = 6, itemKey, renderItem, className, label, testId }: VirtualListProps<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const pendingFocus = useRef<number | null>(null);
  const frame = useRef<number | null>(null);

  const onScroll = useCallback(() => {
    // One state update per frame, however many scroll events arrive.
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      if (ref.current) setScrollTop(ref.current.scrollTop);
    });
  }, []);
  useEffect(() => () => void (frame.current !== null && cancelAnimationFrame(frame.current)), []);

  const [start, end] = visibleRange(scrollTop, height, rowHeight, items.length, overscan);

  /** Focus row i if it is rendered; true when it was. */
  const focusRendered = (i: number): boolean => {
    const el = ref.current?.querySelector<HTMLElement>(`[data-index="${i}"]`);
    const target = el?.querySelector<HTMLElement>('a,button,[tabindex]');
    if (!target) return false;
    target.focus({ preventScroll: true });
    return true;
  };

  useLayoutEffect(() => {
    const i = pendingFocus.current;
    if (i !== null && focusRendered(i)) pendingFocus.current = null;
  });

  const focusIndex = (i: number) => {
    const el = ref.current;
    if (!el || items.length === 0) return;
    const index = Math.max(0, Math.min(items.length - 1, i));
    const top = index * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + height) el.scrollTop = top + rowHeight - height;
    // Focus at once when the row exists, so a fast second key press starts from it;
    // a row beyond the rendered window gets focus after the re-render.
    if (focusRendered(index)) pendingFocus.current = null;
    else pendingFocus.current = index;
    setScrollTop(el.scrollTop);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const rowEl = (e.target as HTMLElement).closest<HTMLElement>('[data-index]');
    if (!rowEl) return;
    const current = Number(rowEl.dataset.index);
    const page = Math.max(1, Math.floor(height / rowHeight) - 1);
    const moves: Record<string, number> = { ArrowDown: current + 1, ArrowUp: current - 1, PageDown: current + page, PageUp: current - page, Home: 0, End: items.length - 1 };
    if (!(e.key in moves)) return;
    e.preventDefault();
    focusIndex(moves[e.key]!);
  };

  return (
    <div ref={ref} className={className} style={{ height, overflowY: 'auto', position: 'relative' }} onScroll={onScroll} onKeyDown={onKeyDown} aria-label={label} data-testid={testId} role="rowgroup">
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>
        {items.slice(start, end).map((item, k) => {
          const index = start + k;
          return (
            <div key={itemKey(item, index)} data-index={index} style={{ position: 'absolute', top: index * rowHeight, left: 0, right: 0, height: rowHeight }}>
              {renderItem(item, index)}
            </div>
          );
        })}
      </div>
    </div>
  );
}

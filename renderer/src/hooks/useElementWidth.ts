import { useCallback, useEffect, useState } from 'react';

/**
 * A callback ref and the element's content width in CSS pixels, rounded down
 * to `quantum` so a resize by a few pixels does not re-query every chart.
 * A callback ref (not a ref object) so an element that mounts later, or is
 * replaced, is measured too.
 */
export function useElementWidth(quantum = 1): [(el: HTMLElement | null) => void, number | undefined] {
  const [element, setElement] = useState<HTMLElement | null>(null);
  const [width, setWidth] = useState<number>();
  const ref = useCallback((el: HTMLElement | null) => setElement(el), []);
  useEffect(() => {
    if (!element) return;
    const update = (w: number) => setWidth(Math.max(0, Math.floor(w / quantum) * quantum));
    update(element.getBoundingClientRect().width);
    const observer = new ResizeObserver((entries) => {
      const entry = entries[entries.length - 1];
      if (entry) update(entry.contentRect.width);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [element, quantum]);
  return [ref, width];
}

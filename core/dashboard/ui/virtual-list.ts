// A list that renders only the rows in view (plus a margin), so 10,000 units or hook runs cost
// as much as forty: rows have one fixed height, and the list scrolls a spacer of the full size.
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

const MARGIN_ROWS = 10;

export interface VirtualListProps<T> {
  items: readonly T[];
  rowHeight: number;
  row: (item: T) => VNode;
  rowKey: (item: T) => string | number;
  className?: string;
  /** A list shorter than this is as tall as its rows; a longer one scrolls. */
  maxHeight?: number;
  /** Keep the newest (last) row in view while the reader is at the bottom: a live log. */
  follow?: boolean;
}

export function VirtualList<T>(props: VirtualListProps<T>): VNode {
  const { items, rowHeight, row, rowKey, className = '', follow = false, maxHeight } = props;
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(400);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, []);
  useLayoutEffect(() => {
    const el = ref.current;
    if (follow && el && atBottom.current) {
      el.scrollTop = el.scrollHeight;
      setTop(el.scrollTop);
    }
  }, [items.length, follow]);
  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    atBottom.current = el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight;
    setTop(el.scrollTop);
  };
  const first = Math.max(0, Math.floor(top / rowHeight) - MARGIN_ROWS);
  const last = Math.min(items.length, Math.ceil((top + height) / rowHeight) + MARGIN_ROWS);
  const shown = items.slice(first, last);
  const style =
    maxHeight === undefined
      ? {}
      : { height: `${Math.min(maxHeight, Math.max(1, items.length) * rowHeight + 2)}px` };
  return html`<div class=${`vlist ${className}`} ref=${ref} onScroll=${onScroll} style=${style}>
    <div class="vspacer" style=${{ height: `${items.length * rowHeight}px` }}>
      ${shown.map(
        (item, i) =>
          html`<div
            class="vrow"
            key=${rowKey(item)}
            style=${{ top: `${(first + i) * rowHeight}px`, height: `${rowHeight}px` }}
          >
            ${row(item)}
          </div>`,
      )}
    </div>
  </div>`;
}

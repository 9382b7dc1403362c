// The live hook log (the debug-log stream): every hook run as it starts and ends, failures in
// red, the newest kept in view while the reader is at the bottom. Virtualised: the page keeps
// the last MAX_ROWS runs however busy the model is.
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import type { HookRow } from '../types.js';
import { VirtualList } from './virtual-list.js';

export const MAX_ROWS = 5000;

/** Adds runs and replaces those that ended (same id), oldest first, bounded. */
export function mergeHooks(shown: readonly HookRow[], incoming: readonly HookRow[]): HookRow[] {
  const byId = new Map(shown.map((h) => [h.id, h]));
  for (const h of incoming) byId.set(h.id, h);
  return [...byId.values()].sort((a, b) => a.id - b.id).slice(-MAX_ROWS);
}

function line(h: HookRow): VNode {
  const outcome = h.outcome ?? 'running';
  return html`<div class=${`hook ${outcome}`} data-outcome=${outcome} title=${h.logs.join('\n')}>
    <span class="time">${h.startedAt.slice(11, 19)}</span>
    <span class="unit">${h.unit}</span>
    <span class="hook-name">${h.hook}</span>
    <span class="outcome">${outcome}</span>
    <span class="message">${h.message}</span>
  </div>`;
}

export function HookLog(props: { hooks: readonly HookRow[] }): VNode {
  return html`<section class="log" aria-label="Hook log">
    <h3>Hook log</h3>
    <${VirtualList}
      items=${props.hooks}
      rowHeight=${22}
      className="hooks"
      follow=${true}
      rowKey=${(h: HookRow) => h.id}
      row=${line}
    />
  </section>`;
}

// The dashboard's live feed (issue 17 item 4): server-sent events on GET /dashboard/api/events.
// `model` says the event bus moved (the page re-reads what it shows: level-triggered, DESIGN §2);
// `hooks` carries hook runs, new ones and those that ended since, within a second.
import type { ServerResponse } from 'node:http';
import type { HookRow } from '../dashboard/types.js';
import { redact } from '../model/redact.js';
import type { HookLogEntry } from '../store/types.js';
import type { ControllerApi } from './api-server.js';

/** How many past hook runs a new page starts with. */
export const HOOK_BACKLOG = 200;
/** The longest a hook's end waits to be pushed, and so the page's lag behind the hook log. */
const HOOK_POLL_MS = 1000;
/** A comment now and then, so a page that went away is noticed and proxies keep the stream. */
const KEEPALIVE_MS = 15_000;

export function hookRow(e: HookLogEntry): HookRow {
  const row: HookRow = {
    id: e.id,
    unit: e.unit,
    hook: e.hook,
    startedAt: e.startedAt,
    message: redact(e.message),
    logs: e.logs.map((l) => redact(`${l.level.toUpperCase()} ${l.message}`)),
  };
  if (e.outcome !== undefined) row.outcome = e.outcome;
  return row;
}

/** Follows the hook log: entries are written at a hook's start and updated at its end, so the
 * cursor stays below the oldest hook still running and an end is sent as a second row. */
export class HookFollower {
  private cursor = 0;
  private readonly shown = new Map<number, string>();

  constructor(private readonly api: Pick<ControllerApi, 'hookLog'>) {}

  /** The last HOOK_BACKLOG runs, then on each call what is new or has ended since. */
  next(): HookRow[] {
    const entries = this.api.hookLog(this.cursor).entries;
    const first = this.cursor === 0 && this.shown.size === 0;
    const fresh = (first ? entries.slice(-HOOK_BACKLOG) : entries).filter(
      (e) => this.shown.get(e.id) !== (e.outcome ?? 'running'),
    );
    for (const e of fresh) this.shown.set(e.id, e.outcome ?? 'running');
    for (const e of entries) {
      if (e.outcome === undefined && (!first || this.shown.has(e.id))) break;
      this.cursor = e.id;
      this.shown.delete(e.id);
    }
    return fresh.map(hookRow);
  }
}

export async function streamEvents(api: ControllerApi, res: ServerResponse): Promise<void> {
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  const send = (event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const hooks = new HookFollower(api);
  let generation = -1;
  let quietSince = Date.now();
  while (!abort.signal.aborted) {
    const rows = hooks.next();
    if (rows.length > 0) send('hooks', { hooks: rows });
    const asked = Date.now();
    const now = (await api.changes(generation, HOOK_POLL_MS, abort.signal)).generation;
    if (abort.signal.aborted) break;
    // The same generation at once, not after the wait: the bus is closed, the controller is
    // stopping. Looping on would never yield to I/O and hold the stop up; the page reconnects.
    if (now === generation && Date.now() - asked < HOOK_POLL_MS / 2) break;
    if (now !== generation) {
      generation = now;
      send('model', { generation });
      quietSince = Date.now();
    } else if (Date.now() - quietSince > KEEPALIVE_MS) {
      res.write(': keepalive\n\n');
      quietSince = Date.now();
    }
  }
  res.end();
}

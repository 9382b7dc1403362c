// The page's side of the dashboard's HTTP API: JSON reads (with the session cookie the browser
// sends by itself) and the live event stream. A 401 means the session is gone: say so.
import type { ApplicationView, GraphView, HooksEvent, ModelEvent, UnitView } from '../types.js';

export class SessionEndedError extends Error {
  constructor() {
    super('Your dashboard session has ended: run `rune dashboard` for a new login link.');
  }
}

async function get<T>(path: string): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
  if (res.status === 401) throw new SessionEndedError();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export const readModel = () => get<GraphView>('/dashboard/api/model');
export const readApplication = (name: string) =>
  get<ApplicationView>(`/dashboard/api/application?name=${encodeURIComponent(name)}`);
export const readUnit = (name: string) =>
  get<UnitView>(`/dashboard/api/unit?name=${encodeURIComponent(name)}`);

export interface LiveHandlers {
  model(e: ModelEvent): void;
  hooks(e: HooksEvent): void;
  connected(up: boolean): void;
}

/** EventSource reconnects by itself after a drop; the page shows whether it is connected. */
export function follow(handlers: LiveHandlers): () => void {
  const source = new EventSource('/dashboard/api/events');
  source.addEventListener('open', () => handlers.connected(true));
  source.addEventListener('error', () => handlers.connected(false));
  source.addEventListener('model', (e) =>
    handlers.model(JSON.parse(e.data as string) as ModelEvent),
  );
  source.addEventListener('hooks', (e) =>
    handlers.hooks(JSON.parse(e.data as string) as HooksEvent),
  );
  return () => source.close();
}

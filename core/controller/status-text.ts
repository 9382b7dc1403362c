// `rune status` as text: Juju's tabular sections, or the same data as YAML or JSON, after an
// optional filter. Pure; the sections and key order live in status-text/, the filter in
// status-filter.ts. The controller renders it (cached per model change); the CLI prints it.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { StatusResponse } from './api.js';
import { filterStatus } from './status-filter.js';
import { orderedStatus } from './status-text/ordered.js';
import { formatTabular } from './status-text/tabular.js';

export { table } from './status-text/table.js';
export { filterStatus } from './status-filter.js';

export type StatusFormat = 'tabular' | 'yaml' | 'json';
export const STATUS_FORMATS: readonly StatusFormat[] = ['tabular', 'yaml', 'json'];

/** `GET /v1/status-text`: what `rune status` prints, rendered by the controller. */
export interface StatusTextRequest {
  format: StatusFormat;
  relations: boolean;
  patterns: readonly string[];
}

export interface StatusOptions {
  /** `--relations`: the Integration section in tabular (YAML and JSON always carry them). */
  relations?: boolean;
  /** Positional filters: application, unit or machine names (a union). */
  patterns?: readonly string[];
}

export function formatStatus(
  status: StatusResponse,
  format: StatusFormat,
  options: StatusOptions = {},
): string {
  const patterns = options.patterns ?? [];
  const shown = filterStatus(status, patterns);
  if (format === 'json') return JSON.stringify(orderedStatus(shown));
  if (format === 'yaml') {
    // The yaml library only for yaml output: `rune status` is the command run most often.
    const { stringify } = createRequire(import.meta.url)('yaml') as typeof Yaml;
    return stringify(orderedStatus(shown)).trimEnd();
  }
  return formatTabular(shown, { relations: options.relations === true, patterns });
}

/** Renderings of one frozen answer (status-answer.ts gives the same one until the model
 * changes): at 10,000 units a tabular status takes ~50 ms to render and ~1 MB to hold. */
const rendered = new WeakMap<StatusResponse, Map<string, string>>();

/** formatStatus, once per answer and request when the answer is frozen (shared). */
export function renderStatus(status: StatusResponse, request: StatusTextRequest): string {
  const { format, relations, patterns } = request;
  const key = JSON.stringify([format, relations, patterns]);
  return once(status, key, () => formatStatus(status, format, { relations, patterns }));
}

/** The answer as `GET /v1/status` sends it (~35 ms to write at 10,000 units), once. */
export function statusJson(status: StatusResponse): string {
  return once(status, 'api', () => JSON.stringify(status));
}

function once(status: StatusResponse, key: string, render: () => string): string {
  if (!Object.isFrozen(status)) return render();
  let texts = rendered.get(status);
  if (texts === undefined) rendered.set(status, (texts = new Map<string, string>()));
  let text = texts.get(key);
  if (text === undefined) texts.set(key, (text = render()));
  return text;
}

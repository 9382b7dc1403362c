// `rune status` as text: Juju's tabular sections, or the same data as YAML or JSON, after an
// optional filter. Pure; the sections, filter and key order live in status/.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { StatusResponse } from '../controller/api.js';
import { filterStatus } from './status/filter.js';
import { orderedStatus } from './status/ordered.js';
import { formatTabular } from './status/tabular.js';

export { table } from './status/table.js';
export { filterStatus } from './status/filter.js';

export type StatusFormat = 'tabular' | 'yaml' | 'json';

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

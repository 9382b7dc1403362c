// Reads a charm folder: metadata.yaml (required), config.yaml and actions.yaml (optional).
// The only file reading in core/charm besides repository.ts; every problem of all three files
// is reported at once.
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { type Diagnostic, diagnostic, hasErrors, sortDiagnostics } from '../yaml/diagnostic.js';
import { parseActions } from './actions.js';
import { compileConfigSchema, parseConfig } from './config.js';
import { CharmLoadError } from './errors.js';
import { parseMetadata } from './metadata.js';
import type { Charm } from './types.js';

/** Diagnostics name files as the user would type them: relative to where Rune runs, if inside. */
function label(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/** The file's text; undefined when it does not exist; a diagnostic when it cannot be read. */
function read(file: string, required: boolean): string | undefined | Diagnostic {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return undefined;
    const at = { file: label(file), line: 1, col: 1 };
    const message =
      code === 'ENOENT'
        ? 'not found: a charm folder needs a metadata.yaml'
        : `cannot read: ${code ?? (e instanceof Error ? e.message : String(e))}`;
    return diagnostic('error', at, '', message);
  }
}

export function loadCharm(dir: string): Charm {
  const root = resolve(dir);
  const out: Diagnostic[] = [];
  const load = <T>(
    name: string,
    required: boolean,
    parse: (file: string, text: string) => T & { diagnostics: Diagnostic[] },
  ): T | undefined => {
    const file = join(root, name);
    const text = read(file, required);
    if (text === undefined) return undefined;
    if (typeof text !== 'string') {
      out.push(text);
      return undefined;
    }
    const result = parse(label(file), text);
    out.push(...result.diagnostics);
    return result;
  };
  const meta = load('metadata.yaml', true, parseMetadata)?.meta;
  const config = load('config.yaml', false, parseConfig);
  const actions = load('actions.yaml', false, parseActions);
  if (hasErrors(out) || !meta) throw new CharmLoadError(root, sortDiagnostics(out));
  return {
    meta,
    config: config?.config ?? { options: {}, schema: compileConfigSchema({}) },
    actions: actions?.actions ?? {},
    dir: root,
  };
}

// ajv for located YAML (bundles and charm files): one factory, and ajv's findings turned into
// located diagnostics. Pure. Schemas carry an `expect` keyword ("a map of endpoints") that
// type errors quote.
import { Ajv, type ErrorObject, type Options } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import { type Diagnostic, diagnostic } from './diagnostic.js';
import { keyLoc, locate, type LNode } from './located.js';

export type Step = string | number;

/** An ajv with the `expect` keyword declared, so strict mode accepts our schemas. */
export function makeAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    allowUnionTypes: true,
    validateSchema: false,
    ...options,
  });
  ajv.addKeyword({ keyword: 'expect', schemaType: 'string' });
  return ajv;
}

/** `provides.db.scope`, `required[1]`. */
export function formatPath(steps: readonly Step[]): string {
  let out = '';
  for (const step of steps) {
    if (typeof step === 'number') out += `[${step}]`;
    else out += out === '' ? step : `.${step}`;
  }
  return out;
}

/** A value as a user would recognise it in their file: `"three"`, `1.5`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'a map';
}

/** `did you mean "port"?` when a known name is within edit distance 2; '' otherwise. */
export function suggestion(word: string, known: readonly string[]): string {
  if (known.length === 0) return '';
  const near = closest(word, [...known]);
  return distance(word, near) <= 2 ? ` (did you mean "${near}"?)` : '';
}

export function nodeAt(root: LNode, steps: readonly Step[]): LNode | undefined {
  let node: LNode | undefined = root;
  for (const step of steps) {
    if (node?.kind === 'map') node = node.entries.get(String(step))?.value;
    else if (node?.kind === 'seq') node = node.items[Number(step)];
    else return undefined;
  }
  return node;
}

/** ajv's JSON Pointer as steps; the located tree says which steps are list indexes. */
export function stepsOf(root: LNode, instancePath: string): Step[] {
  if (instancePath === '') return [];
  const raw = instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  return typedSteps(root, raw);
}

export function typedSteps(root: LNode, raw: readonly string[]): Step[] {
  const out: Step[] = [];
  let node: LNode | undefined = root;
  for (const step of raw) {
    if (node?.kind === 'seq') {
      out.push(Number(step));
      node = node.items[Number(step)];
    } else {
      out.push(step);
      node = node?.kind === 'map' ? node.entries.get(step)?.value : undefined;
    }
  }
  return out;
}

/** Where a map's key is written, for findings about the whole entry (missing field, bad name). */
export function entryLoc(root: LNode, steps: readonly Step[]) {
  const last = steps[steps.length - 1];
  const at = locate(root, steps).loc;
  if (typeof last !== 'string') return at;
  return keyLoc(nodeAt(root, steps.slice(0, -1)), last) ?? at;
}

function toDiagnostic(root: LNode, error: ErrorObject): Diagnostic {
  const steps = stepsOf(root, error.instancePath);
  const node = nodeAt(root, steps);
  // An empty value (`db:`) has no text of its own: point at its key.
  const empty = node?.kind === 'scalar' && node.value === null;
  const at = empty ? entryLoc(root, steps) : locate(root, steps).loc;
  const path = formatPath(steps);
  const parent = error.parentSchema as { expect?: string; properties?: object } | undefined;
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String((error.params as { additionalProperty: string }).additionalProperty);
      const hint = suggestion(field, Object.keys(parent?.properties ?? {}));
      return diagnostic(
        'error',
        keyLoc(nodeAt(root, steps), field) ?? at,
        formatPath([...steps, field]),
        `unknown field "${field}"${hint}`,
        field,
      );
    }
    case 'required': {
      const field = String((error.params as { missingProperty: string }).missingProperty);
      return diagnostic(
        'error',
        entryLoc(root, steps),
        path,
        `missing required field "${field}"`,
        field,
      );
    }
    case 'minLength':
      return diagnostic('error', at, path, 'must not be empty');
    default:
      return diagnostic(
        'error',
        at,
        path,
        `must be ${parent?.expect ?? 'valid'}, got ${describeValue(error.data)}`,
      );
  }
}

/** One diagnostic per place and message: ajv can report one fault through several keywords. */
export function schemaDiagnostics(root: LNode, errors: readonly ErrorObject[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const error of errors) {
    const d = toDiagnostic(root, error);
    const key = `${d.line}:${d.col}:${d.path}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

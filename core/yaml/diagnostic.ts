// A located finding about a file (error or warning), and the one way it is written as text.
// Pure data; validation collects these instead of throwing (STYLE.md, changesets).

export interface Loc {
  file: string;
  line: number;
  col: number;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic extends Loc {
  severity: Severity;
  /** Field path inside the file, e.g. `applications.etcd.num_units`; '' for the whole file. */
  path: string;
  message: string;
  /** The offending name (application, key, endpoint...) when there is one. */
  name?: string;
}

export function diagnostic(
  severity: Severity,
  loc: Loc,
  path: string,
  message: string,
  name?: string,
): Diagnostic {
  const d: Diagnostic = { severity, file: loc.file, line: loc.line, col: loc.col, path, message };
  if (name !== undefined) d.name = name;
  return d;
}

/** `bundles/k8s.yaml:14:5 applications.etcd.num_units: must be ...` (STYLE.md, practice 4). */
export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.col}`;
  const what = d.severity === 'warning' ? `warning: ${d.message}` : d.message;
  return d.path === '' ? `${where} ${what}` : `${where} ${d.path}: ${what}`;
}

/** Sorted by place, errors before warnings at one place, then by text: stable across runs. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      compare(a.file, b.file) ||
      a.line - b.line ||
      a.col - b.col ||
      compare(a.severity, b.severity) ||
      compare(a.path, b.path) ||
      compare(a.message, b.message),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function hasErrors(list: readonly Diagnostic[]): boolean {
  return list.some((d) => d.severity === 'error');
}

// Bundle sources (the bundle file, then each --overlay file) → one merged, located tree. Pure:
// the caller reads the files; every document of every file is merged in order (overlay.ts).
import { type Diagnostic, diagnostic, sortDiagnostics } from '../yaml/diagnostic.js';
import {
  DEFAULT_LIMITS,
  type LMap,
  type LNode,
  type ParseLimits,
  parseYaml,
} from '../yaml/located.js';
import { mergeDocuments } from './overlay.js';

export interface BundleSource {
  file: string;
  text: string;
}

export interface ParsedBundle {
  root?: LMap;
  diagnostics: Diagnostic[];
}

export function parseBundle(
  sources: readonly BundleSource[],
  limits: ParseLimits = DEFAULT_LIMITS,
): ParsedBundle {
  const diagnostics: Diagnostic[] = [];
  const documents: LNode[] = [];
  for (const source of sources) {
    const parsed = parseYaml(source.file, source.text, limits);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.documents.length === 0 && parsed.diagnostics.length === 0) {
      diagnostics.push(
        diagnostic(
          'error',
          { file: source.file, line: 1, col: 1 },
          '',
          'the file holds no YAML document',
        ),
      );
    }
    documents.push(...parsed.documents);
  }
  if (diagnostics.some((d) => d.severity === 'error')) {
    return { diagnostics: sortDiagnostics(diagnostics) };
  }
  const merged = mergeDocuments(documents);
  diagnostics.push(...merged.diagnostics);
  const sorted = sortDiagnostics(diagnostics);
  return merged.root ? { root: merged.root, diagnostics: sorted } : { diagnostics: sorted };
}

// A charm file (metadata.yaml, config.yaml, actions.yaml) is one YAML document, located. Pure.
import { type Diagnostic, diagnostic } from '../yaml/diagnostic.js';
import { type LNode, parseYaml } from '../yaml/located.js';

/** A charm file holds at most one YAML document: its root (undefined when empty) and findings. */
export function parseOneDocument(
  file: string,
  text: string,
): { root?: LNode; diagnostics: Diagnostic[] } {
  const parsed = parseYaml(file, text);
  const diagnostics = [...parsed.diagnostics];
  for (const extra of parsed.documents.slice(1)) {
    diagnostics.push(
      diagnostic('error', extra.loc, '', 'a charm file holds one YAML document; remove this one'),
    );
  }
  const root = parsed.documents[0];
  return root ? { root, diagnostics } : { diagnostics };
}

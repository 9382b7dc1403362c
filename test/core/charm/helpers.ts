// Test helpers for core/charm: diagnostics as `line:col path: message`, the file name left off.
import { type Diagnostic, formatDiagnostic } from '../../../core/yaml/diagnostic.js';

export function lines(diagnostics: readonly Diagnostic[], file: string): string[] {
  return diagnostics.map((d) => formatDiagnostic(d).replace(`${file}:`, ''));
}

/** YAML text from lines, so each test shows the file as it would look. */
export const yaml = (...rows: string[]): string => rows.join('\n') + '\n';

// Test helper: the whole read → parse → resolve → validate path, as diagnostics lines.
import { readFileSync } from 'node:fs';
import {
  parseBundle,
  resolveCharms,
  validateBundle,
  type ValidationResult,
} from '../../../core/bundle/index.js';
import { CharmRepository } from '../../../core/charm/repository.js';
import { formatDiagnostic } from '../../../core/yaml/diagnostic.js';

const repository = new CharmRepository();

export function validateTexts(sources: { file: string; text: string }[]): ValidationResult {
  const parsed = parseBundle(sources);
  if (!parsed.root || parsed.diagnostics.some((d) => d.severity === 'error')) {
    return { diagnostics: parsed.diagnostics };
  }
  const charms = resolveCharms(parsed.root, (ref, dir) => repository.resolve(ref, dir));
  const result = validateBundle(parsed.root, charms, { containers: false });
  return { ...result, diagnostics: [...parsed.diagnostics, ...result.diagnostics] };
}

export function validateFile(file: string): ValidationResult {
  return validateTexts([{ file, text: readFileSync(file, 'utf8') }]);
}

/** Diagnostics as `line:col path: message`, the file name left off (it is the fixture's). */
export function lines(result: ValidationResult, file: string): string[] {
  return result.diagnostics.map((d) => formatDiagnostic(d).replace(`${file}:`, ''));
}

/** The `# expect: ...` lines a fixture ends with. */
export function expectations(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('# expect: '))
    .map((l) => l.slice('# expect: '.length));
}

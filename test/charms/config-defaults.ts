// config.yaml's defaults for a shipped charm, for tests that keep a charm's own copy equal.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export function configYamlDefaults(charm: string): Record<string, unknown> {
  const file = new URL(`../../charms/${charm}/config.yaml`, import.meta.url);
  const doc = parse(readFileSync(file, 'utf8')) as {
    options: Record<string, { default: unknown }>;
  };
  return Object.fromEntries(Object.entries(doc.options).map(([k, v]) => [k, v.default]));
}

// Databag plumbing the interface helpers share: applying writes (`""` deletes, DESIGN §6), the
// minimal writes that reach a desired bag, and JSON values read without throwing. Pure.
import type { Databag } from './types.js';
import { deepFreeze } from '../model/deep-freeze.js';

/** The bag after `writes`: `""` removes a key. Own properties only, so `__proto__` is a key. */
export function applyWrites(bag: Readonly<Databag>, writes: Readonly<Databag>): Databag {
  const merged = new Map(Object.entries(bag));
  for (const [key, value] of Object.entries(writes)) {
    if (value === '') merged.delete(key);
    else merged.set(key, value);
  }
  return Object.fromEntries(merged);
}

/** Only the keys of `desired` whose value differs from `bag`: a hook that writes nothing new
 * commits nothing and wakes nobody (DESIGN §6). `""` in `desired` deletes when the key is set. */
export function changedKeys(bag: Readonly<Databag>, desired: Readonly<Databag>): Databag {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(desired)) {
    const current = Object.hasOwn(bag, key) ? bag[key] : undefined;
    if (value === '' ? current !== undefined && current !== '' : current !== value) {
      out.set(key, value);
    }
  }
  return Object.fromEntries(out);
}

/** A set, non-empty value, or undefined. */
export function readString(bag: Readonly<Databag>, key: string): string | undefined {
  const value = Object.hasOwn(bag, key) ? bag[key] : undefined;
  return value === undefined || value === '' ? undefined : value;
}

/** Parsed values by their text (bounded), shared and frozen: a master's `creds` holds every
 * worker's entry, and each hook of each worker parsed all of it again. */
const parsed = new Map<string, unknown>();
const PARSED_LIMIT = 4_096;

/**
 * A JSON-encoded value, or undefined when absent or not JSON (validation reports the latter).
 * The value is shared by every reader of the same text, so it is frozen: copy it to change it.
 */
export function readJson(bag: Readonly<Databag>, key: string): unknown {
  const text = readString(bag, key);
  if (text === undefined) return undefined;
  if (parsed.has(text)) return parsed.get(text);
  let value: unknown;
  try {
    value = deepFreeze(JSON.parse(text));
  } catch {
    value = undefined;
  }
  if (parsed.size >= PARSED_LIMIT) parsed.clear();
  parsed.set(text, value);
  return value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

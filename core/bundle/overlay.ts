// Overlays, with Juju's merge rules: the documents of a bundle file after the first, then each
// `--overlay` file's documents, merged in order into the base. Pure: located trees in and out.
import { type Diagnostic, diagnostic } from '../yaml/diagnostic.js';
import type { LEntry, LMap, LNode } from '../yaml/located.js';

/** Fields of an application whose maps merge key by key; every other field is replaced. */
const MERGED_APP_FIELDS = new Set(['options', 'annotations']);

export interface MergeResult {
  root: LMap | undefined;
  diagnostics: Diagnostic[];
}

/**
 * Applications merge field by field (options and annotations key by key); an application whose
 * body is empty removes it and every relation it is part of; relations are appended; machines
 * are replaced by id (an empty body removes one); other top-level fields are replaced.
 */
export function mergeDocuments(documents: readonly LNode[]): MergeResult {
  const diagnostics: Diagnostic[] = [];
  let root: LMap | undefined;
  for (const doc of documents) {
    if (doc.kind !== 'map') {
      diagnostics.push(
        diagnostic('error', doc.loc, '', 'a bundle document must be a map of fields'),
      );
      continue;
    }
    const normalized = normalizeServices(doc, diagnostics);
    root = root === undefined ? normalized : overlay(root, normalized, diagnostics);
  }
  return { root, diagnostics };
}

/** `services` is the legacy name of `applications`; both at once is ambiguous. */
function normalizeServices(doc: LMap, diagnostics: Diagnostic[]): LMap {
  const services = doc.entries.get('services');
  if (!services) return doc;
  if (doc.entries.has('applications')) {
    diagnostics.push(
      diagnostic(
        'error',
        services.keyLoc,
        'services',
        'use "applications" or the legacy "services", not both',
        'services',
      ),
    );
    return doc;
  }
  const entries = new Map<string, LEntry>();
  for (const [key, entry] of doc.entries) {
    if (key === 'services') entries.set('applications', { ...entry, key: 'applications' });
    else entries.set(key, entry);
  }
  return { ...doc, entries };
}

function overlay(base: LMap, top: LMap, diagnostics: Diagnostic[]): LMap {
  const entries = new Map(base.entries);
  const removed = new Set<string>();
  for (const [key, entry] of top.entries) {
    const current = entries.get(key);
    if (key === 'applications') {
      const merged = mergeById(current?.value, entry, removed, diagnostics, mergeApplication);
      entries.set(key, merged);
    } else if (key === 'machines') {
      entries.set(
        key,
        mergeById(current?.value, entry, new Set(), diagnostics, (_a, b) => b),
      );
    } else if (key === 'relations' && current?.value.kind === 'seq' && entry.value.kind === 'seq') {
      entries.set(key, {
        ...current,
        value: { ...current.value, items: [...current.value.items, ...entry.value.items] },
      });
    } else {
      entries.set(key, entry);
    }
  }
  if (removed.size > 0) {
    const relations = entries.get('relations');
    if (relations?.value.kind === 'seq') {
      const items = relations.value.items.filter((item) => !mentionsAny(item, removed));
      entries.set('relations', { ...relations, value: { ...relations.value, items } });
    }
  }
  return { ...base, entries };
}

/** Merges a map of named bodies (applications, machines); an empty body removes the name. */
function mergeById(
  base: LNode | undefined,
  top: LEntry,
  removed: Set<string>,
  diagnostics: Diagnostic[],
  mergeBody: (a: LNode, b: LNode) => LNode,
): LEntry {
  if (base?.kind !== 'map' || top.value.kind !== 'map') return top;
  const entries = new Map(base.entries);
  for (const [name, entry] of top.value.entries) {
    const isEmpty = entry.value.kind === 'scalar' && entry.value.value === null;
    const existing = entries.get(name);
    if (isEmpty) {
      if (!existing) {
        diagnostics.push(
          diagnostic(
            'warning',
            entry.keyLoc,
            `${top.key}.${name}`,
            `an empty body removes "${name}", but nothing before this overlay defines it`,
            name,
          ),
        );
      }
      entries.delete(name);
      removed.add(name);
      continue;
    }
    entries.set(
      name,
      existing ? { ...entry, value: mergeBody(existing.value, entry.value) } : entry,
    );
  }
  return { ...top, value: { ...base, entries } };
}

function mergeApplication(base: LNode, top: LNode): LNode {
  if (base.kind !== 'map' || top.kind !== 'map') return top;
  const entries = new Map(base.entries);
  for (const [field, entry] of top.entries) {
    const current = entries.get(field);
    if (
      MERGED_APP_FIELDS.has(field) &&
      current?.value.kind === 'map' &&
      entry.value.kind === 'map'
    ) {
      const inner = new Map(current.value.entries);
      for (const [k, v] of entry.value.entries) inner.set(k, v);
      entries.set(field, { ...entry, value: { ...entry.value, entries: inner } });
    } else {
      entries.set(field, entry);
    }
  }
  return { ...base, entries };
}

/** Whether a relation (a list of `app[:endpoint]` strings) names one of the applications. */
function mentionsAny(relation: LNode, apps: ReadonlySet<string>): boolean {
  const items = relation.kind === 'seq' ? relation.items : [];
  return items.some(
    (item) =>
      item.kind === 'scalar' &&
      typeof item.value === 'string' &&
      apps.has(item.value.split(':')[0] ?? ''),
  );
}

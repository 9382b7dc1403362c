// YAML text → a tree of plain values that remembers where each key and value came from.
// Pure: takes text, returns nodes and diagnostics; never throws on bad input, never reads files.
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node as YamlNode,
} from 'yaml';
import { type Diagnostic, diagnostic, type Loc } from './diagnostic.js';
import { setOwn } from '../model/own.js';

export type Scalar = string | number | boolean | null;

export interface LScalar {
  kind: 'scalar';
  value: Scalar;
  loc: Loc;
}
export interface LSeq {
  kind: 'seq';
  items: LNode[];
  loc: Loc;
}
export interface LEntry {
  key: string;
  keyLoc: Loc;
  value: LNode;
}
export interface LMap {
  kind: 'map';
  entries: Map<string, LEntry>;
  loc: Loc;
}
export type LNode = LScalar | LSeq | LMap;

export interface ParseLimits {
  /** Largest text accepted, in bytes (UTF-16 code units are close enough for a bound). */
  maxBytes: number;
  /** Most nodes that aliases may expand to in one file: stops "billion laughs" documents. */
  maxAliasNodes: number;
  /** Deepest nesting accepted: stops `[[[[...` stack exhaustion. */
  maxDepth: number;
}

export const DEFAULT_LIMITS: ParseLimits = {
  maxBytes: 10 * 1024 * 1024,
  maxAliasNodes: 100_000,
  maxDepth: 64,
};

export interface ParsedFile {
  file: string;
  /** One entry per YAML document; a document that failed to parse is left out. */
  documents: LNode[];
  diagnostics: Diagnostic[];
}

/** Tags that only name the standard types; anything else could construct objects (DESIGN §12). */
const PLAIN_TAGS = new Set([
  'tag:yaml.org,2002:str',
  'tag:yaml.org,2002:int',
  'tag:yaml.org,2002:float',
  'tag:yaml.org,2002:bool',
  'tag:yaml.org,2002:null',
  'tag:yaml.org,2002:map',
  'tag:yaml.org,2002:seq',
]);

class LimitExceeded extends Error {}

/** A file over the size limit: refused before any parsing, so a huge file costs nothing. */
export function tooLarge(
  file: string,
  bytes: number,
  limits: ParseLimits = DEFAULT_LIMITS,
): Diagnostic {
  const mib = (n: number) => (n / (1024 * 1024)).toFixed(1);
  return diagnostic(
    'error',
    { file, line: 1, col: 1 },
    '',
    `file is ${mib(bytes)} MiB; the limit is ${mib(limits.maxBytes)} MiB`,
  );
}

export function parseYaml(
  file: string,
  text: string,
  limits: ParseLimits = DEFAULT_LIMITS,
): ParsedFile {
  if (text.length > limits.maxBytes) {
    return { file, documents: [], diagnostics: [tooLarge(file, text.length, limits)] };
  }
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter,
    uniqueKeys: false,
    prettyErrors: false,
    // Merge keys are expanded by our own walker, under the same alias budget.
    merge: false,
  });
  const diagnostics: Diagnostic[] = [];
  const locAt = (offset: number): Loc => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, col: pos.col };
  };
  const list = Array.isArray(docs) ? docs : [];
  const documents: LNode[] = [];
  for (const doc of list) {
    const errors = doc.errors;
    for (const error of errors) {
      diagnostics.push(diagnostic('error', locAt(error.pos[0]), '', yamlMessage(error.message)));
    }
    if (errors.length > 0) continue;
    if (doc.contents === null) continue;
    const walker = new Walker(doc, locAt, limits, diagnostics);
    try {
      const node = walker.convert(doc.contents, '', 0);
      if (node) documents.push(node);
    } catch (e) {
      if (!(e instanceof LimitExceeded)) throw e;
    }
  }
  return { file, documents, diagnostics };
}

/** The library's messages end with a code frame when pretty; keep the first line only. */
function yamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return `invalid YAML: ${first.replace(/ at line \d+, column \d+:?$/, '')}`;
}

class Walker {
  private aliasNodes = 0;

  constructor(
    private readonly doc: Document.Parsed,
    private readonly locAt: (offset: number) => Loc,
    private readonly limits: ParseLimits,
    private readonly diagnostics: Diagnostic[],
  ) {}

  convert(node: unknown, path: string, depth: number, viaAlias = false): LNode | undefined {
    if (node === null || node === undefined) return undefined;
    if (depth > this.limits.maxDepth) {
      this.fail(node, path, `nesting is deeper than ${this.limits.maxDepth} levels`);
    }
    if (viaAlias && ++this.aliasNodes > this.limits.maxAliasNodes) {
      this.fail(
        node,
        path,
        `aliases expand to more than ${this.limits.maxAliasNodes} nodes; refusing to expand further`,
      );
    }
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) {
        this.diagnostics.push(
          diagnostic('error', this.loc(node), path, `unknown alias *${node.source}`),
        );
        return undefined;
      }
      return this.convert(target, path, depth + 1, true);
    }
    if (!this.tagAllowed(node, path)) return undefined;
    if (isScalar(node)) {
      const v = node.value;
      // The core schema yields only these; anything else is kept as the text the user wrote.
      const value: Scalar =
        typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null
          ? v
          : (node.source ?? '');
      return { kind: 'scalar', value, loc: this.loc(node) };
    }
    if (isSeq(node)) {
      const items: LNode[] = [];
      node.items.forEach((item, i) => {
        const converted = this.convert(item, `${path}[${i}]`, depth + 1, viaAlias);
        if (converted) items.push(converted);
      });
      return { kind: 'seq', items, loc: this.loc(node) };
    }
    if (isMap(node)) {
      const entries = new Map<string, LEntry>();
      const merged: LEntry[] = [];
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key;
        const keyLoc = this.loc(keyNode ?? node);
        if (!isScalar(keyNode)) {
          this.diagnostics.push(
            diagnostic('error', keyLoc, path, 'keys must be plain strings or numbers'),
          );
          continue;
        }
        const raw = keyNode.value;
        const key =
          typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean'
            ? String(raw)
            : raw === null
              ? ''
              : (keyNode.source ?? '');
        const childPath = path === '' ? key : `${path}.${key}`;
        if (key === '<<' && keyNode.type === 'PLAIN') {
          merged.push(...this.mergeSources(pair.value, path, depth, viaAlias));
          continue;
        }
        const previous = entries.get(key);
        if (previous) {
          this.diagnostics.push(
            diagnostic(
              'error',
              keyLoc,
              childPath,
              `duplicate key "${key}" (first at line ${previous.keyLoc.line})`,
              key,
            ),
          );
          continue;
        }
        const value = this.convert(pair.value, childPath, depth + 1, viaAlias) ?? {
          kind: 'scalar',
          value: null,
          loc: keyLoc,
        };
        entries.set(key, { key, keyLoc, value });
      }
      // Merge keys (`<<: *defaults`) fill in what the map does not say itself, as YAML 1.1 does.
      for (const entry of merged) if (!entries.has(entry.key)) entries.set(entry.key, entry);
      return { kind: 'map', entries, loc: this.loc(node) };
    }
    return { kind: 'scalar', value: null, loc: this.loc(node) };
  }

  private mergeSources(value: unknown, path: string, depth: number, viaAlias: boolean): LEntry[] {
    const source = this.convert(value, path, depth + 1, viaAlias);
    const maps = source?.kind === 'seq' ? source.items : source ? [source] : [];
    const out: LEntry[] = [];
    for (const map of maps) {
      if (map.kind !== 'map') {
        this.diagnostics.push(
          diagnostic('error', map.loc, path, 'a merge key (<<) must refer to a map'),
        );
        continue;
      }
      out.push(...map.entries.values());
    }
    return out;
  }

  private tagAllowed(node: unknown, path: string): boolean {
    const tag = (node as { tag?: string } | null)?.tag;
    if (tag === undefined || PLAIN_TAGS.has(tag)) return true;
    this.diagnostics.push(
      diagnostic('error', this.loc(node), path, `tag ${shortTag(tag)} is not allowed`, tag),
    );
    return false;
  }

  private loc(node: unknown): Loc {
    const range = (node as YamlNode | null)?.range;
    return this.locAt(range ? range[0] : 0);
  }

  private fail(node: unknown, path: string, message: string): never {
    this.diagnostics.push(diagnostic('error', this.loc(node), path, message));
    throw new LimitExceeded(message);
  }
}

/** `!!python/object` as the user wrote it, not the expanded `tag:yaml.org,2002:` form. */
function shortTag(tag: string): string {
  const prefix = 'tag:yaml.org,2002:';
  return tag.startsWith(prefix) ? `!!${tag.slice(prefix.length)}` : tag;
}

/** The plain JavaScript value of a located node (for schema validation). */
export function toPlain(node: LNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [key, entry] of node.entries) setOwn(out, key, toPlain(entry.value));
      return out;
    }
  }
}

/** Follows a path of keys and indexes; the deepest node reached and whether all of it was found. */
export function locate(
  root: LNode,
  path: readonly (string | number)[],
): { loc: Loc; found: boolean } {
  let node: LNode = root;
  let loc = root.loc;
  for (const step of path) {
    if (node.kind === 'map' && typeof step === 'string') {
      const entry = node.entries.get(step);
      if (!entry) return { loc, found: false };
      node = entry.value;
      loc = node.loc;
    } else if (node.kind === 'seq' && typeof step === 'number') {
      const item = node.items[step];
      if (!item) return { loc, found: false };
      node = item;
      loc = node.loc;
    } else {
      return { loc, found: false };
    }
  }
  return { loc, found: true };
}

/** Where a map's key is written (for "unknown field" style messages). */
export function keyLoc(map: LNode | undefined, key: string): Loc | undefined {
  return map?.kind === 'map' ? map.entries.get(key)?.keyLoc : undefined;
}

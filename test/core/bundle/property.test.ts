// Property: whatever a valid bundle is mutated into, validation never throws, never hangs, and
// returns either a plan or errors that each name a place in the file.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { EMPTY_MODEL } from '../../../core/model/types.js';
import { plan } from '../../../core/planner/index.js';
import { validateTexts } from './load.js';

const seedFiles = [
  'bundles/kubernetes-core.yaml',
  'bundles/charmed-kubernetes.yaml',
  'bundles/etcd.yaml',
  ...readdirSync('test/fixtures/bundles/valid').map((f) => `test/fixtures/bundles/valid/${f}`),
];
// A seed is the list of a file's documents (the first is the bundle, the rest overlays), so a
// mutation can reach any document and the mutant is written back as a multi-document file.
const seeds: unknown[][] = seedFiles.map((f) =>
  parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS() as unknown),
);
const write = (documents: unknown): string =>
  Array.isArray(documents)
    ? documents.map((d) => stringify(d)).join('---\n')
    : stringify(documents);

type Step = string | number;

function allPaths(value: unknown, prefix: Step[] = [], out: Step[][] = []): Step[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => allPaths(v, [...prefix, i], out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) allPaths(v, [...prefix, k], out);
  }
  return out;
}

const interesting = fc.constantFrom(
  'etcd',
  'easyrsa:client',
  'etcd:db',
  'lxd:0',
  'new',
  '0',
  '01',
  'etcd/7',
  'cs:~x/etcd-3',
  './nope',
  'flannel',
  'kubernetes-master',
  'mem=4G',
  'cores=x',
  'Etcd',
  '',
  '-',
  ':',
);
const anyValue = fc.oneof(
  interesting,
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(interesting, { maxLength: 4 }),
  fc.dictionary(interesting, interesting, { maxKeys: 3 }),
);
const mutation = fc.record({
  target: fc.nat(),
  op: fc.constantFrom('drop', 'replace', 'nest-list', 'nest-map', 'rename'),
  value: anyValue,
  key: interesting,
});

interface Mutation {
  target: number;
  op: 'drop' | 'replace' | 'nest-list' | 'nest-map' | 'rename';
  value: unknown;
  key: string;
}

function mutate(root: unknown, m: Mutation): unknown {
  const copy = structuredClone(root);
  const paths = allPaths(copy).filter((p) => p.length > 0);
  const path = paths[m.target % Math.max(paths.length, 1)];
  if (!path) return m.value;
  let parent = copy as Record<Step, unknown>;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<Step, unknown>;
  const last = path[path.length - 1] as Step;
  const current = parent[last];
  switch (m.op) {
    case 'drop':
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
      break;
    case 'replace':
      parent[last] = m.value;
      break;
    case 'nest-list':
      parent[last] = [current];
      break;
    case 'nest-map':
      parent[last] = { [m.key || 'x']: current };
      break;
    case 'rename':
      if (!Array.isArray(parent)) {
        delete parent[last];
        parent[m.key] = current;
      }
      break;
  }
  return copy;
}

function check(text: string): void {
  const result = validateTexts([{ file: 'mutant.yaml', text }]);
  if (result.bundle) {
    expect(Array.isArray(plan(result.bundle, EMPTY_MODEL))).toBe(true);
  } else {
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) {
      expect(e.file).toBe('mutant.yaml');
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.col).toBeGreaterThanOrEqual(1);
      expect(e.message.length).toBeGreaterThan(0);
    }
  }
}

describe('validator under mutation', () => {
  it('mutated structures give a plan or located errors', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: seeds.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (seed, mutations) => {
          const mutant = mutations.reduce<unknown>((doc, m) => mutate(doc, m), seeds[seed]);
          check(write(mutant));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('mutated text gives a plan or located errors', () => {
    const texts = seedFiles.map((f) => readFileSync(f, 'utf8'));
    fc.assert(
      fc.property(
        fc.nat({ max: texts.length - 1 }),
        fc.nat(),
        fc.string({ maxLength: 12 }),
        fc.nat({ max: 20 }),
        (seed, at, insert, cut) => {
          const text = texts[seed] ?? '';
          const pos = at % (text.length + 1);
          check(text.slice(0, pos) + insert + text.slice(pos + cut));
        },
      ),
      { numRuns: 400 },
    );
  });
});

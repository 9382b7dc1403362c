// metadata.yaml (Juju's format) → CharmMeta, with Juju's checks as located diagnostics.
// Pure: takes text. Keys Juju knows but Rune has no use for (series, storage...) are ignored.
import {
  applicationNameProblem,
  isEndpointName,
  isInterfaceName,
  quotedName,
} from '../model/names.js';
import type { EndpointRole, EndpointSpec } from '../model/types.js';
import { type Diagnostic, diagnostic, hasErrors, sortDiagnostics } from '../yaml/diagnostic.js';
import { type LEntry, type LNode, toPlain } from '../yaml/located.js';
import { makeAjv, schemaDiagnostics } from '../yaml/schema-diagnostics.js';
import { parseOneDocument } from './one-document.js';
import type { CharmMeta } from './types.js';

const SECTIONS = { provides: 'provider', requires: 'requirer', peers: 'peer' } as const;
type Section = keyof typeof SECTIONS;

const NAME_RULE =
  'use lowercase letters and digits in words joined by "-" or "_", starting with a letter';

const endpoint = {
  type: ['string', 'object'],
  expect: 'an interface name or a map with interface, scope, limit and optional',
  required: ['interface'],
  properties: {
    interface: { type: 'string', expect: 'an interface name' },
    scope: { enum: ['global', 'container'], expect: 'global or container' },
    limit: { type: 'integer', minimum: 1, expect: 'a positive integer' },
    optional: { type: 'boolean', expect: 'true or false' },
  },
};

const section = {
  type: ['object', 'null'],
  expect: 'a map of endpoints',
  additionalProperties: endpoint,
};

/** Only what Rune reads is described; any other key a Juju charm carries passes untouched. */
const metadataSchema = {
  type: 'object',
  expect: 'a map of metadata fields',
  required: ['name'],
  properties: {
    name: { type: 'string', expect: 'a charm name' },
    summary: { type: 'string', expect: 'a one-line summary' },
    description: { type: 'string', expect: 'a description' },
    subordinate: { type: 'boolean', expect: 'true or false' },
    provides: section,
    requires: section,
    peers: section,
    resources: {
      type: ['object', 'null'],
      expect: 'a map of resources',
      additionalProperties: {
        type: 'object',
        expect: 'a map with type, filename and description',
        required: ['type', 'filename'],
        properties: {
          type: { enum: ['file'], expect: 'file (the only resource type Rune knows)' },
          filename: { type: 'string', pattern: '^[^/]+$', expect: 'a file name without "/"' },
          description: { type: 'string', expect: 'a description' },
        },
      },
    },
  },
};

const validateShape = makeAjv().compile(metadataSchema);

const stringAt = (node: LNode | undefined): string | undefined =>
  node?.kind === 'scalar' && typeof node.value === 'string' ? node.value : undefined;
const scalarAt = (node: LNode | undefined): unknown =>
  node?.kind === 'scalar' ? node.value : undefined;

/** `juju` and `juju-*` belong to Juju itself (its implicit `juju-info` endpoint, for one). */
const isReserved = (name: string): boolean => name === 'juju' || name.startsWith('juju-');

interface Found {
  spec: EndpointSpec;
  entry: LEntry;
  section: Section;
  /** Where the interface name is written: the shorthand value or the `interface` field. */
  interfaceNode?: LNode;
  /** A scope ajv rejected: the endpoint's real scope is unknown, so scope rules skip it. */
  badScope: boolean;
}

/** One endpoint entry as written; undefined when its shape is wrong (ajv has said why). */
function readEndpoint(entry: LEntry, section: Section): Found | undefined {
  const base = { name: entry.key, role: SECTIONS[section] satisfies EndpointRole };
  const value = entry.value;
  if (value.kind === 'scalar' && typeof value.value === 'string') {
    const spec: EndpointSpec = {
      ...base,
      interface: value.value,
      scope: 'global',
      optional: false,
    };
    return { spec, entry, section, interfaceNode: value, badScope: false };
  }
  if (value.kind !== 'map') return undefined;
  const field = (key: string) => value.entries.get(key)?.value;
  const iface = stringAt(field('interface'));
  if (iface === undefined) return undefined;
  const scope = field('scope') ? stringAt(field('scope')) : 'global';
  const spec: EndpointSpec = {
    ...base,
    interface: iface,
    scope: scope === 'container' ? 'container' : 'global',
    optional: scalarAt(field('optional')) === true,
  };
  const limit = scalarAt(field('limit'));
  if (typeof limit === 'number' && Number.isInteger(limit) && limit >= 1) spec.limit = limit;
  const badScope = scope !== 'global' && scope !== 'container';
  return { spec, entry, section, interfaceNode: field('interface'), badScope };
}

function checkEndpoints(found: Found[], charm: string, subordinate: boolean, out: Diagnostic[]) {
  const used = new Map<string, Section>();
  // A newer Juju lets charms named juju-* use the reserved names; follow it.
  const exempt = charm.startsWith('juju-');
  for (const { spec, entry, section, interfaceNode } of found) {
    const path = `${section}.${spec.name}`;
    const error = (at: LNode | undefined, where: string, message: string, name: string) =>
      out.push(diagnostic('error', at?.loc ?? entry.keyLoc, where, message, name));
    if (!isEndpointName(spec.name)) {
      out.push(
        diagnostic(
          'error',
          entry.keyLoc,
          path,
          `invalid relation name "${spec.name}": ${NAME_RULE}`,
          spec.name,
        ),
      );
    }
    const ifacePath = entry.value.kind === 'map' ? `${path}.interface` : path;
    if (!isInterfaceName(spec.interface)) {
      error(
        interfaceNode,
        ifacePath,
        `invalid interface name "${spec.interface}": ${NAME_RULE}`,
        spec.interface,
      );
    }
    // Subordinates attach to principals through container-scoped juju-info requirers (Juju).
    const mayUseReserved = subordinate && spec.role === 'requirer' && spec.scope === 'container';
    if (!exempt && !mayUseReserved && isReserved(spec.name)) {
      out.push(
        diagnostic(
          'error',
          entry.keyLoc,
          path,
          `relation name "${spec.name}" is reserved: "juju" and names starting "juju-" belong to Juju`,
          spec.name,
        ),
      );
    }
    if (!exempt && spec.role !== 'requirer' && isReserved(spec.interface)) {
      error(
        interfaceNode,
        ifacePath,
        `interface "${spec.interface}" is reserved: only requires endpoints may use "juju" or "juju-*" interfaces`,
        spec.interface,
      );
    }
    const first = used.get(spec.name);
    if (first) {
      out.push(
        diagnostic(
          'error',
          entry.keyLoc,
          path,
          `relation name "${spec.name}" is already used in ${first}`,
          spec.name,
        ),
      );
    } else {
      used.set(spec.name, section);
    }
  }
}

export function parseMetadata(
  file: string,
  text: string,
): { meta?: CharmMeta; diagnostics: Diagnostic[] } {
  const parsed = parseOneDocument(file, text);
  const out = parsed.diagnostics;
  if (hasErrors(out)) return { diagnostics: sortDiagnostics(out) };
  const root: LNode = parsed.root ?? {
    kind: 'map',
    entries: new Map(),
    loc: { file, line: 1, col: 1 },
  };
  if (!validateShape(toPlain(root)))
    out.push(...schemaDiagnostics(root, validateShape.errors ?? []));
  if (root.kind !== 'map') return { diagnostics: sortDiagnostics(out) };

  const field = (key: string) => root.entries.get(key);
  const nameEntry = field('name');
  const name = stringAt(nameEntry?.value);
  if (name !== undefined && nameEntry) {
    const problem = applicationNameProblem(name);
    if (problem) {
      out.push(
        diagnostic(
          'error',
          nameEntry.value.loc,
          'name',
          `invalid charm name ${quotedName(name)}: ${problem}`,
          name,
        ),
      );
    }
  }
  const subordinateEntry = field('subordinate');
  const subordinate =
    subordinateEntry?.value.kind === 'scalar' && subordinateEntry.value.value === true;

  // Sections in file order, so "already used in" always points back up the file.
  const found: Found[] = [];
  for (const [key, entry] of root.entries) {
    if (!Object.hasOwn(SECTIONS, key) || entry.value.kind !== 'map') continue;
    for (const endpointEntry of entry.value.entries.values()) {
      const one = readEndpoint(endpointEntry, key as Section);
      if (one) found.push(one);
    }
  }
  checkEndpoints(found, name ?? '', subordinate, out);
  checkResourceNames(field('resources')?.value, out);

  if (subordinate && subordinateEntry) {
    const attached = found.some(
      (f) => f.spec.role === 'requirer' && (f.spec.scope === 'container' || f.badScope),
    );
    if (!attached) {
      out.push(
        diagnostic(
          'error',
          subordinateEntry.keyLoc,
          'subordinate',
          'a subordinate charm needs a requires endpoint with scope: container',
        ),
      );
    }
  }
  if (hasErrors(out) || name === undefined) return { diagnostics: sortDiagnostics(out) };
  const meta: CharmMeta = {
    name,
    summary: stringAt(field('summary')?.value) ?? '',
    description: stringAt(field('description')?.value) ?? '',
    subordinate,
    endpoints: found.map((f) => f.spec),
    resources: readResources(field('resources')?.value),
  };
  return { meta, diagnostics: sortDiagnostics(out) };
}

/** Resource names follow the application rule (Juju's): `ctx.resource(NAME)` and the file kept
 * as `NAME.SHA256` on the controller take them as they are. */
function checkResourceNames(node: LNode | undefined, out: Diagnostic[]): void {
  if (node?.kind !== 'map') return;
  for (const [name, entry] of node.entries) {
    const problem = applicationNameProblem(name);
    if (problem === undefined) continue;
    out.push(
      diagnostic(
        'error',
        entry.keyLoc,
        `resources.${name}`,
        `invalid resource name ${quotedName(name)}: ${problem}`,
        name,
      ),
    );
  }
}

/** The resources section once ajv accepted it. */
function readResources(node: LNode | undefined): CharmMeta['resources'] {
  const out: CharmMeta['resources'] = {};
  if (node?.kind !== 'map') return out;
  for (const [name, entry] of node.entries) {
    if (entry.value.kind !== 'map') continue;
    const at = (key: string) =>
      stringAt(entry.value.kind === 'map' ? entry.value.entries.get(key)?.value : undefined);
    out[name] = { name, filename: at('filename') ?? name, description: at('description') ?? '' };
  }
  return out;
}

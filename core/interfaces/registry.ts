// The interfaces Rune knows, and databag validation against them: every problem with its
// relation, owner and key, never a secret's value. Pure (ajv validators are compiled once).
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { ValidateWrite } from '../charm/context-types.js';
import type { JsonSchema } from '../charm/types.js';
import type { Relation } from '../model/types.js';
import { describeValue, makeAjv, suggestion } from '../yaml/schema-diagnostics.js';
import { etcdSpec } from './etcd.js';
import { RelationDataError } from './errors.js';
import { httpSpec } from './http.js';
import { kubeControlSpec } from './kube-control.js';
import { kubeMastersSpec } from './kube-masters.js';
import { kubernetesCniSpec } from './kubernetes-cni.js';
import { permissiveRole } from './schema.js';
import { tlsCertificatesSpec } from './tls-certificates.js';
import type {
  DatabagAccess,
  DatabagProblem,
  DatabagScope,
  InterfaceRole,
  InterfaceSpec,
} from './types.js';

const SPECS: ReadonlyMap<string, InterfaceSpec> = new Map(
  [
    etcdSpec,
    httpSpec,
    kubeControlSpec,
    kubeMastersSpec,
    kubernetesCniSpec,
    tlsCertificatesSpec,
  ].map((spec) => [spec.name, spec]),
);

/** The spec for an interface, or undefined: a user's own charm may name an interface Rune has
 * no schema for, and then its data is not validated (not an error). */
export function interfaceSpec(name: string): InterfaceSpec | undefined {
  return SPECS.get(name);
}

/** Every interface name with a spec, sorted. */
export const knownInterfaces: readonly string[] = [...SPECS.keys()].sort();

/** How Rune names a relation in messages: `etcd:db - kubernetes-master:etcd` (provider first,
 * as the model stores it), or `etcd:cluster` for a peer relation. */
export function relationLabel(relation: Pick<Relation, 'endpoints'>): string {
  return relation.endpoints.map((e) => `${e.application}:${e.name}`).join(' - ');
}

export interface DatabagCheck {
  interface: string;
  /** The role of the endpoint whose side owns the bag. */
  role: InterfaceRole;
  scope: DatabagScope;
  /** The bag after the write; `""` values count as deleted (DESIGN §6). Typed loosely because
   * values reach here from charm code at run time. */
  bag: Readonly<Record<string, unknown>>;
  relation: string;
  /** The unit (scope `unit`) or application (scope `app`) that owns the bag. */
  owner: string;
  when: DatabagAccess;
}

// Secret values stay out of every message (DESIGN §12): flagged in the schema, or named like one.
const SECRET_NAME = /(?:^|[._-])(?:key|token|password|passwd|secret|creds)$/i;

let shared: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function ajv(): Ajv {
  if (shared !== undefined) return shared;
  const instance = makeAjv();
  instance.addKeyword({ keyword: 'secret', schemaType: 'boolean' });
  // A string holding JSON that the keyword's schema accepts (sans, creds, cert_requests).
  instance.addKeyword({
    keyword: 'jsonValue',
    schemaType: 'object',
    errors: false,
    compile(schema: JsonSchema) {
      const inner = instance.compile(schema);
      return (data: unknown) => {
        if (typeof data !== 'string') return false;
        let parsed: unknown;
        try {
          parsed = JSON.parse(data);
        } catch {
          return false;
        }
        return inner(parsed) === true;
      };
    },
  });
  shared = instance;
  return instance;
}

function validatorFor(spec: InterfaceSpec, role: InterfaceRole, scope: DatabagScope) {
  const id = `${spec.name}/${role}/${scope}`;
  let validate = compiled.get(id);
  if (validate === undefined) {
    const schemas = spec.roles[role] ?? permissiveRole();
    validate = ajv().compile(schemas[scope]);
    compiled.set(id, validate);
  }
  return validate;
}

function unescapePointer(step: string): string {
  return step.replace(/~1/g, '/').replace(/~0/g, '~');
}

interface KeySchema {
  expect?: string;
  secret?: boolean;
  properties?: Record<string, unknown>;
}

function problemText(error: ErrorObject, key: string): string {
  const parent = (error.parentSchema ?? {}) as KeySchema;
  if (error.keyword === 'additionalProperties') {
    return `unknown key${suggestion(key, Object.keys(parent.properties ?? {}))}`;
  }
  const expect = parent.expect ?? 'a string';
  // A private key pasted under a public key's name is still a private key.
  const leaks = typeof error.data === 'string' && error.data.includes('PRIVATE KEY');
  if (parent.secret === true || SECRET_NAME.test(key) || leaks) {
    return `must be ${expect}, got a value that is not valid`;
  }
  return `must be ${expect}, got ${describeValue(error.data)}`;
}

/** Every way `check.bag` breaks its interface's schema, one problem per key, sorted by key.
 * Unknown interfaces yield none. Never throws on any bag of strings. */
export function validateDatabag(check: DatabagCheck): DatabagProblem[] {
  const spec = interfaceSpec(check.interface);
  if (spec === undefined) return [];
  const bag = Object.fromEntries(Object.entries(check.bag).filter(([, value]) => value !== ''));
  const validate = validatorFor(spec, check.role, check.scope);
  if (validate(bag)) return [];
  const byKey = new Map<string, string>();
  for (const error of validate.errors ?? []) {
    const key =
      error.keyword === 'additionalProperties'
        ? String((error.params as { additionalProperty: string }).additionalProperty)
        : unescapePointer(error.instancePath.split('/')[1] ?? '');
    if (!byKey.has(key)) byKey.set(key, problemText(error, key));
  }
  return [...byKey.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, message]) => ({
      relation: check.relation,
      scope: check.scope,
      owner: check.owner,
      key,
      message,
      when: check.when,
    }));
}

/** validateDatabag, throwing one RelationDataError that lists every problem. */
export function assertDatabag(check: DatabagCheck): void {
  const problems = validateDatabag(check);
  if (problems.length > 0) throw new RelationDataError(problems);
}

/**
 * The hook context's ValidateWrite seam backed by these schemas: every bag a hook writes is
 * checked as it would be committed. Unit owners have a slash, applications do not. `label`
 * names the relation in errors (the runtime says `app:endpoint - remote`).
 */
export function schemaValidateWrite(
  label: (relation: Parameters<ValidateWrite>[0]) => string = (r) => `${r.endpoint}:${r.id}`,
): ValidateWrite {
  return (relation, owner, bag) =>
    assertDatabag({
      interface: relation.interface,
      role: relation.role,
      scope: owner.includes('/') ? 'unit' : 'app',
      bag,
      relation: label(relation),
      owner,
      when: 'write',
    });
}

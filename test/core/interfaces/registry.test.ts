// The registry: known interfaces (every one the five charms name), rules common to all of them
// (`""` deletes, private-address allowed, unknown interfaces unchecked), RelationDataError, and a
// property test that no bag makes validation throw.
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMetadata } from '../../../core/charm/metadata.js';
import { RelationDataError } from '../../../core/interfaces/errors.js';
import {
  assertDatabag,
  interfaceSpec,
  knownInterfaces,
  relationLabel,
  validateDatabag,
} from '../../../core/interfaces/registry.js';
import type { DatabagScope, InterfaceRole } from '../../../core/interfaces/types.js';
import { RuneError } from '../../../core/model/errors.js';
import type { Endpoint } from '../../../core/model/types.js';
import { at, KEY, problems, REL, SECRET_MARK } from './helpers.js';

const ROLES: readonly InterfaceRole[] = ['provider', 'requirer', 'peer'];
const SCOPES: readonly DatabagScope[] = ['unit', 'app'];
const CHARMS = new URL('../../../charms/', import.meta.url);

describe('registry', () => {
  it('knows every interface the five charms name', () => {
    const named = new Set<string>();
    // charms/lib holds code the charms share, not a charm.
    for (const charm of readdirSync(CHARMS).filter((c) => c !== 'lib')) {
      const file = new URL(`${charm}/metadata.yaml`, CHARMS);
      const { meta } = parseMetadata('metadata.yaml', readFileSync(file, 'utf8'));
      for (const endpoint of meta?.endpoints ?? []) named.add(endpoint.interface);
    }
    expect(named.size).toBeGreaterThan(0);
    expect([...named].sort()).toEqual(knownInterfaces);
    for (const name of knownInterfaces) expect(interfaceSpec(name)?.name).toBe(name);
  });

  it('does not validate an interface it has no schema for (a user charm of their own)', () => {
    expect(interfaceSpec('my-interface')).toBeUndefined();
    expect(problems('my-interface', 'provider', { anything: 42 })).toEqual([]);
  });

  it('treats kube-masters as permissive: any keys, string values', () => {
    expect(
      problems('kube-masters', 'peer', { whatever: 'x', 'private-address': '10.0.0.2' }),
    ).toEqual([]);
    expect(problems('kube-masters', 'peer', { whatever: ['x'] })).toEqual([
      at('whatever', 'must be a string, got a list'),
    ]);
  });

  it('allows private-address in every unit bag of every interface and role', () => {
    for (const name of knownInterfaces) {
      for (const role of ROLES) {
        expect(problems(name, role, { 'private-address': '10.0.0.7' })).toEqual([]);
      }
    }
  });

  it('validates the bag after the write: "" deletes, so it is never checked', () => {
    for (const name of knownInterfaces) {
      for (const role of ROLES) {
        for (const scope of SCOPES) {
          const bag = { port: '', ca: '', connection_string: '', cidr: '', is_master: '' };
          expect(problems(name, role, bag, { scope })).toEqual([]);
        }
      }
    }
  });

  it('reports every bad key once, sorted by key', () => {
    expect(
      problems('etcd', 'provider', { version: 'x', connection_string: 5, client_ca: 'y' }),
    ).toEqual([
      at('client_ca', 'must be a PEM certificate, got "y"'),
      at('connection_string', 'must be comma-separated URLs, got 5'),
      at('version', 'must be a version like 3.4.5, got "x"'),
    ]);
  });

  it('carries relation, scope, owner, key and when in each problem', () => {
    expect(
      validateDatabag({
        interface: 'http',
        role: 'provider',
        scope: 'app',
        bag: { port: 'x' },
        relation: 'kubernetes-master:kube-api-endpoint - kubernetes-worker:kube-api-endpoint',
        owner: 'kubernetes-master',
        when: 'read',
      }),
    ).toEqual([
      {
        relation: 'kubernetes-master:kube-api-endpoint - kubernetes-worker:kube-api-endpoint',
        scope: 'app',
        owner: 'kubernetes-master',
        key: 'port',
        message: 'must be a port number (1-65535), got "x"',
        when: 'read',
      },
    ]);
  });

  it('names a relation by its endpoints, provider first', () => {
    const endpoint = (application: string, name: string): Endpoint => ({
      application,
      name,
      role: 'provider',
      interface: 'etcd',
      scope: 'global',
      optional: false,
    });
    expect(
      relationLabel({ endpoints: [endpoint('etcd', 'db'), endpoint('kubernetes-master', 'etcd')] }),
    ).toBe(REL);
    expect(relationLabel({ endpoints: [endpoint('etcd', 'cluster')] })).toBe('etcd:cluster');
  });
});

describe('RelationDataError', () => {
  const check = {
    interface: 'etcd',
    role: 'provider' as const,
    scope: 'unit' as const,
    relation: REL,
    owner: 'etcd/0',
    when: 'write' as const,
  };

  it('is a user error whose message names relation, unit and key', () => {
    let caught: unknown;
    try {
      assertDatabag({ ...check, bag: { connection_string: 'x' } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RelationDataError);
    expect(caught).toBeInstanceOf(RuneError);
    const error = caught as RelationDataError;
    expect(error.kind).toBe('user');
    expect(error.name).toBe('RelationDataError');
    expect(error.message).toBe(
      'relation etcd:db - kubernetes-master:etcd, unit etcd/0, key connection_string: must be comma-separated URLs, got "x"',
    );
    expect(error.problems).toHaveLength(1);
  });

  it('lists every problem, one per line, and never a secret', () => {
    const bag = { connection_string: 'x', client_key: `nope${SECRET_MARK}`, client_cert: KEY };
    expect(() => assertDatabag({ ...check, bag })).toThrow(RelationDataError);
    const error = new RelationDataError(validateDatabag({ ...check, bag }));
    expect(error.message.split('\n')).toHaveLength(3);
    expect(error.message).not.toContain(SECRET_MARK);
  });

  it('does not throw for a valid bag', () => {
    expect(() => assertDatabag({ ...check, bag: { version: '3.4.5' } })).not.toThrow();
  });
});

describe('validateDatabag never throws', () => {
  const interfaces = fc.constantFrom(...knownInterfaces, 'unknown-interface');
  const keys = fc.oneof(
    fc.string(),
    fc.constantFrom(
      'ca',
      'sans',
      'creds',
      'cert_requests',
      'etcd_0.server.key',
      'etcd_0.processed_requests',
      '__proto__',
      'constructor',
      'port',
    ),
  );

  it('on random string maps, and no problem ever echoes a secret', () => {
    fc.assert(
      fc.property(
        interfaces,
        fc.constantFrom(...ROLES),
        fc.constantFrom(...SCOPES),
        fc.dictionary(keys, fc.oneof(fc.string(), fc.json())),
        (name, role, scope, bag) => {
          const secretBag = Object.fromEntries(
            Object.entries(bag).map(([k, v]) => [k, k.endsWith('key') ? `${v}${SECRET_MARK}` : v]),
          );
          const found = validateDatabag({
            interface: name,
            role,
            scope,
            bag: secretBag,
            relation: REL,
            owner: 'etcd/0',
            when: 'write',
          });
          for (const problem of found) {
            if (problem.key.endsWith('key')) expect(problem.message).not.toContain(SECRET_MARK);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('on bags whose values are not strings at all', () => {
    fc.assert(
      fc.property(
        interfaces,
        fc.constantFrom(...ROLES),
        fc.dictionary(keys, fc.anything()),
        (name, role, bag) => {
          validateDatabag({
            interface: name,
            role,
            scope: 'unit',
            bag,
            relation: REL,
            owner: 'etcd/0',
            when: 'read',
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

// What an interface is to Rune: a name and, per writing role, a JSON Schema for the unit and the
// application databag (DESIGN §6, §7). Pure data; the schemas are checked by registry.ts.
import type { JsonSchema } from '../charm/types.js';
import type { EndpointRole } from '../model/types.js';

/** A relation databag: every value a string, structured values JSON-encoded (as Charmed
 * Kubernetes does). Writing `""` deletes a key (DESIGN §6). */
export type Databag = Record<string, string>;

export type InterfaceRole = EndpointRole;

/** Which of a relation's bags: one per unit, one per application (the leader writes it). */
export type DatabagScope = 'unit' | 'app';

export interface RoleSchemas {
  /** The bag each unit on this side writes; `private-address` is always allowed (Rune pre-sets it). */
  unit: JsonSchema;
  /** The application bag this side's leader writes. */
  app: JsonSchema;
}

export interface InterfaceSpec {
  name: string;
  /** Only the roles that write; a role absent here may write any string values. */
  roles: Partial<Record<InterfaceRole, RoleSchemas>>;
  /**
   * The unit a key is addressed to (`etcd/0`), for interfaces whose bags hold one entry per
   * requesting unit (tls-certificates' `etcd_0.server.cert`); undefined: a key for every reader.
   * A change to keys addressed to other units is no relation-changed for a unit (DESIGN §6):
   * with 1,000 requesters, each issued certificate would otherwise run a hook on every one.
   */
  addressee?: (key: string) => string | undefined;
}

/** Whether the bag is being written by its owner or read by the other side. The rules are the
 * same; the agent uses it to decide whose hook fails (a bad write fails the writer's hook). */
export type DatabagAccess = 'write' | 'read';

/** One way a databag breaks its interface's schema. */
export interface DatabagProblem {
  /** `etcd:db - kubernetes-master:etcd` */
  relation: string;
  scope: DatabagScope;
  /** The unit (`etcd/0`) or application (`etcd`) that owns the bag. */
  owner: string;
  key: string;
  /** What is wrong, without relation, owner and key: `must be comma-separated URLs, got "x"`.
   * Never holds the value of a secret key. */
  message: string;
  when: DatabagAccess;
}

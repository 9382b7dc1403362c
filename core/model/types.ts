// The model's entities (DESIGN §1): what the store records and the planner reads. Pure data.
import type { AgentStatus, Life, MachineStatus, StatusInfo, WorkloadStatus } from './status.js';

export type EndpointRole = 'provider' | 'requirer' | 'peer';
export type RelationScope = 'global' | 'container';

/** A charm's relation slot, as declared in its metadata.yaml. */
export interface EndpointSpec {
  name: string;
  role: EndpointRole;
  interface: string;
  scope: RelationScope;
  /** Juju's `limit`: how many relations this endpoint may join; undefined = no limit. */
  limit?: number;
  optional: boolean;
}

/** An endpoint of a deployed application: `etcd:db`. */
export interface Endpoint extends EndpointSpec {
  application: string;
}

export interface Relation {
  id: number;
  /** Two endpoints (provider first), or one for a peer relation. */
  endpoints: readonly [Endpoint] | readonly [Endpoint, Endpoint];
  life: Life;
}

export type ConfigValue = string | number | boolean;
export type ConfigValues = Record<string, ConfigValue>;

/**
 * What one commit changed in one relation's bags. `readers` is set when every changed key was
 * addressed to particular units (InterfaceSpec.addressee): only they see a change. Without it,
 * every unit that reads the relation's other side does.
 */
export interface BagChange {
  relationId: number;
  readers?: readonly string[];
}

export interface Machine {
  id: string;
  life: Life;
  constraints: string;
  instanceId: string;
  dnsName: string;
  base: string;
  hardware: string;
  status: StatusInfo<MachineStatus>;
  agentStatus: StatusInfo<AgentStatus>;
}

export interface Unit {
  name: string;
  application: string;
  machine: string;
  life: Life;
  leader: boolean;
  /** For a subordinate unit: the principal unit it lives beside. */
  principal?: string;
  workloadStatus: StatusInfo<WorkloadStatus>;
  agentStatus: StatusInfo<AgentStatus>;
}

export interface Application {
  name: string;
  charm: string;
  subordinate: boolean;
  config: ConfigValues;
  constraints: string;
  exposed: boolean;
  life: Life;
  /** Unit numbers are never reused (DESIGN §1): the next unit gets this number. */
  nextUnitNumber: number;
}

export interface Model {
  name: string;
  applications: Record<string, Application>;
  units: Record<string, Unit>;
  machines: Record<string, Machine>;
  relations: Relation[];
  /** Machine ids are never reused (DESIGN §1): the next machine gets this id. */
  nextMachineId: number;
}

/** `app:endpoint`, the way relations are written in bundles and on the CLI. */
export function endpointKey(endpoint: { application: string; name: string }): string {
  return `${endpoint.application}:${endpoint.name}`;
}

/** A relation's identity independent of endpoint order: sorted `a:x b:y`. */
export function relationKey(endpoints: readonly { application: string; name: string }[]): string {
  return endpoints.map(endpointKey).sort().join(' ');
}

/** What the planner needs to know of a live model: alive entities only (DESIGN §8). */
export interface ModelSnapshot {
  applications: Record<
    string,
    Pick<Application, 'name' | 'charm' | 'config' | 'constraints' | 'exposed' | 'nextUnitNumber'>
  >;
  units: Record<string, Pick<Unit, 'name' | 'application' | 'machine'>>;
  machines: Record<string, Pick<Machine, 'id'>>;
  relations: { endpoints: readonly { application: string; name: string }[] }[];
  nextMachineId: number;
}

export const EMPTY_MODEL: ModelSnapshot = {
  applications: {},
  units: {},
  machines: {},
  relations: [],
  nextMachineId: 0,
};

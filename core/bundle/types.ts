// A bundle after validation and resolution: every name checked, charms found, endpoints
// inferred, each unit's placement decided. This is what the planner reads. Pure data.
import type { ConfigValues, EndpointRole } from '../model/types.js';

/** Where one unit goes, from its `to:` directive (DESIGN §8 placement grammar). */
export type UnitTarget =
  | { kind: 'new' }
  /** A machine declared in the bundle's `machines:` section (bundle id, not model id). */
  | { kind: 'machine'; machine: string }
  /** Beside unit `index` of another application in this bundle (`app`, `app/N`). */
  | { kind: 'unit'; application: string; index: number };

export interface UnitPlacement {
  target: UnitTarget;
  /** `lxd` for `lxd:...` directives; undefined for the machine itself. */
  container?: string;
  /** The directive as written (`lxd:0`), for "to satisfy [...]" descriptions; undefined = none. */
  directive?: string;
}

export interface BundleMachine {
  /** The bundle's own id for this machine (`"0"`); the model id is chosen when planning. */
  id: string;
  constraints: string;
}

export interface BundleApplication {
  name: string;
  /** The resolved charm's name (a folder in charms/ or the named local path's charm). */
  charm: string;
  /** The charm as the bundle wrote it: `cs:~containers/etcd-123`, `./charms/etcd`... */
  charmRef: string;
  subordinate: boolean;
  numUnits: number;
  /** One entry per unit, index = unit index within the bundle: length = numUnits. */
  placements: UnitPlacement[];
  options: ConfigValues;
  constraints: string;
  expose: boolean;
}

export interface BundleEndpoint {
  application: string;
  name: string;
  interface: string;
  role: EndpointRole;
}

export interface BundleRelation {
  /** As written in the bundle, with inferred endpoint names filled in. */
  endpoints: [BundleEndpoint, BundleEndpoint];
}

export interface ResolvedBundle {
  /** Sorted by name. */
  applications: BundleApplication[];
  /** Sorted by numeric id. */
  machines: BundleMachine[];
  /** In bundle order (base first, then overlays), duplicates removed. */
  relations: BundleRelation[];
}

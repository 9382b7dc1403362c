// The hooks a unit's charm handles (DESIGN §6), as data: what the unit agent's resolver emits,
// what the queue stores, what debug-log records. Pure.

export type LifecycleHookKind =
  | 'install'
  | 'leader-elected'
  | 'leader-settings-changed'
  | 'config-changed'
  | 'start'
  | 'upgrade-charm'
  | 'update-status'
  | 'stop'
  | 'remove';

export type RelationHookKind =
  | 'relation-created'
  | 'relation-joined'
  | 'relation-changed'
  | 'relation-departed'
  | 'relation-broken';

export interface LifecycleHook {
  kind: LifecycleHookKind;
}

export interface RelationHook {
  kind: RelationHookKind;
  /** The relation's id in the model (never reused). */
  relationId: number;
  /** This unit's endpoint in that relation (`db`, `cluster`). */
  endpoint: string;
  /** The remote application (for a peer relation: the unit's own application). */
  remoteApp: string;
  /** The remote unit, for -joined, -changed (unit data) and -departed. */
  remoteUnit?: string;
}

export type Hook = LifecycleHook | RelationHook;

export function isRelationHook(hook: Hook): hook is RelationHook {
  return hook.kind.startsWith('relation-');
}

/** The name Juju gives the hook: `install`, `db-relation-joined`. */
export function hookName(hook: Hook): string {
  return isRelationHook(hook) ? `${hook.endpoint}-${hook.kind}` : hook.kind;
}

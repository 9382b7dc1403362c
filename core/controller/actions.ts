// `rune run UNIT|APP/leader ACTION [k=v...]` on the controller side (DESIGN §10): the target is
// resolved, the params typed and checked against actions.yaml, and the run queued for the
// unit's agent, which runs it between hooks. Nothing is queued when anything is wrong.
import { checkActionParams, coerceParams } from '../charm/action-params.js';
import type { Charm } from '../charm/types.js';
import { parseUnitName } from '../model/names.js';
import type { ActionRecord, Store } from '../store/types.js';
import type { ActionRequest } from './api.js';
import { ModelRequestError } from './model-operations.js';
import { own } from '../model/own.js';

export function resolveActionTarget(store: Store, target: string): string {
  const leaderOf = /^([a-z][a-z0-9-]*)\/leader$/.exec(target)?.[1];
  if (leaderOf !== undefined) {
    if (!store.application(leaderOf))
      throw new ModelRequestError(`application ${leaderOf} not found; rune status lists them`);
    const leader = store.leader(leaderOf);
    if (leader === undefined)
      throw new ModelRequestError(`${leaderOf} has no leader yet: wait for its units to start`);
    return leader;
  }
  if (!parseUnitName(target))
    throw new ModelRequestError(`"${target}" is neither a unit (etcd/0) nor APP/leader`);
  if (!store.unit(target))
    throw new ModelRequestError(`unit ${target} not found; rune status lists the units`);
  return target;
}

export function enqueueAction(
  store: Store,
  charmOf: (application: string) => Charm,
  request: ActionRequest,
): { id: number; unit: string } {
  const unit = resolveActionTarget(store, request.target);
  const charm = charmOf(unit.slice(0, unit.indexOf('/')));
  const schema = own(charm.actions, request.action)?.params ?? {};
  const checked = checkActionParams(charm, request.action, coerceParams(schema, request.params));
  if (!checked.ok) throw new ModelRequestError(checked.message);
  const id = store.enqueueAction(unit, request.action, checked.params, new Date().toISOString());
  return { id, unit };
}

export function actionById(store: Store, id: number): ActionRecord {
  const action = Number.isInteger(id) ? store.action(id) : undefined;
  if (!action) throw new ModelRequestError(`action ${id} not found`);
  return action;
}

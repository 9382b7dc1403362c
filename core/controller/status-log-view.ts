// What `rune show-status-log` reads through the API (issue 17 item 2, Juju's show-status-log): an
// entity's status transitions, oldest first. A unit's workload and agent streams are merged;
// --type narrows to one (Juju's words: workload, juju-unit) or names the kind of entity.
import type { StatusLogType } from '../store/status-history-types.js';
import type { Store } from '../store/types.js';
import { StatusLogEntityError } from './errors.js';
import { MODEL_ENTITY } from './status-log.js';

/** --type's words: `unit` is both of a unit's streams. */
export const STATUS_LOG_TYPES = [
  'unit',
  'workload',
  'juju-unit',
  'machine',
  'application',
  'model',
] as const;
export type StatusLogFilter = (typeof STATUS_LOG_TYPES)[number];

export interface StatusLogRequest {
  entity: string;
  type?: StatusLogFilter;
  /** The newest this many; absent: every entry kept. */
  limit?: number;
}

export type StatusLogKind = 'unit' | 'machine' | 'application' | 'model';

export interface StatusLogLine {
  /** ISO 8601, when the status became this. */
  since: string;
  type: StatusLogType;
  status: string;
  message: string;
}

export interface StatusLogResponse {
  entity: string;
  kind: StatusLogKind;
  entries: StatusLogLine[];
}

const STREAMS: Record<StatusLogFilter, readonly StatusLogType[]> = {
  unit: ['workload', 'juju-unit'],
  workload: ['workload'],
  'juju-unit': ['juju-unit'],
  machine: ['machine'],
  application: ['application'],
  model: ['model'],
};

const KIND_OF_TYPE: Record<StatusLogFilter, StatusLogKind> = {
  unit: 'unit',
  workload: 'unit',
  'juju-unit': 'unit',
  machine: 'machine',
  application: 'application',
  model: 'model',
};

/** What the name reads as: `etcd/0` a unit, `3` a machine, `model` the model, else an app. */
function kindOfName(entity: string): StatusLogKind {
  if (entity.includes('/')) return 'unit';
  if (/^[0-9]+$/.test(entity)) return 'machine';
  return entity === MODEL_ENTITY ? 'model' : 'application';
}

const WHAT: Record<StatusLogKind, string> = {
  unit: 'a unit like etcd/0',
  machine: 'a machine id',
  application: 'an application name',
  model: MODEL_ENTITY,
};

/** The entity's entries, or a StatusLogEntityError naming what is wrong. */
export function statusLog(store: Store, request: StatusLogRequest): StatusLogResponse {
  const { entity, limit } = request;
  const named = kindOfName(entity);
  // An application may be called `model`: --type application reads it as one.
  const kind = request.type === undefined ? named : KIND_OF_TYPE[request.type];
  if (kind !== named && !(kind === 'application' && entity === MODEL_ENTITY)) {
    throw new StatusLogEntityError(entity, `--type ${request.type} needs ${WHAT[kind]}`);
  }
  const exists =
    kind === 'unit'
      ? store.unit(entity) !== undefined
      : kind === 'machine'
        ? store.machine(entity) !== undefined
        : kind === 'application'
          ? store.application(entity) !== undefined
          : true;
  if (!exists) {
    throw new StatusLogEntityError(entity, `no such ${kind}; rune status lists the ${kind}s`);
  }
  const types = STREAMS[request.type ?? kind];
  const entries = store.statusHistory(entity, types, limit).map((e) => ({
    since: e.at,
    type: e.type,
    status: e.status,
    message: e.message,
  }));
  return { entity, kind, entries };
}

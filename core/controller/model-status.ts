// The applications, units and integrations of `rune status`, from the store (Juju's keys).
// Application status (DESIGN §6): what the leader set for the application, else the most severe
// unit status; charms cannot set an application status yet, so it is the latter for now.
import { deriveApplicationStatus, type StatusInfo, type WorkloadStatus } from '../model/status.js';
import { applicationAsSeen } from '../store/application-view.js';
import type { ApplicationRecord, Store, UnitRecord } from '../store/types.js';
import { certificateExpiries, expiryWarning } from './certificate-expiry.js';
import { certificateWarningMs } from './model-config.js';
import type {
  ApplicationStatusView,
  MachineStatusView,
  RelationStatusView,
  UnitStatusView,
} from './api.js';

/** Machines that stopped answering their probes, with when: their units show `lost`. */
export type LostMachines = ReadonlyMap<string, string>;

/** The machines whose status says their agent is lost, from status's machine views. */
export function lostMachines(views: Record<string, MachineStatusView>): LostMachines {
  return new Map(
    Object.entries(views).flatMap(([id, v]) =>
      v['agent-status'].current === 'lost' ? [[id, v['agent-status'].since ?? ''] as const] : [],
    ),
  );
}

/** What Juju says of a unit whose agent stopped answering. */
export const LOST_MESSAGE = 'agent is not communicating with the server';

/** The charm revision a unit is on: its application's, unless a rollout has not reached it. */
type RevisionOf = (unit: UnitRecord) => number | undefined;

function revisions(store: Store, apps: readonly ApplicationRecord[]): RevisionOf {
  const rollouts = new Map(store.activeRollouts().map((r) => [r.application, r]));
  const byName = new Map(apps.map((a) => [a.name, a]));
  return (unit) => {
    const app = byName.get(unit.application);
    return app && applicationAsSeen(app, rollouts.get(app.name), unit.name).charmRevision;
  };
}

/** The unit's statuses as an operator should read them: on a lost machine its agent is lost
 * and its workload unknown (the last message kept), whatever it last reported. */
function shownStatus(
  unit: UnitRecord,
  lost: LostMachines,
): Pick<UnitRecord, 'workloadStatus' | 'agentStatus'> {
  const since = lost.get(unit.machine);
  if (since === undefined) return unit;
  return {
    workloadStatus: { current: 'unknown', message: unit.workloadStatus.message, since },
    agentStatus: { current: 'lost', message: LOST_MESSAGE, since },
  };
}

function unitView(
  store: Store,
  unit: UnitRecord,
  leader: string | undefined,
  context: {
    addresses: ReadonlyMap<string, string>;
    revisionOf: RevisionOf;
    lost: LostMachines;
    /** Principal → its subordinate units, indexed once for the whole model. */
    subordinatesOf: Map<string, UnitRecord[]>;
    leaderOf: (application: string) => string | undefined;
    /** A warning when the unit's certificate expires soon (issue 17 item 3). */
    certificateWarning: (unit: string) => string | undefined;
  },
): UnitStatusView {
  const { addresses, revisionOf, lost } = context;
  const shown = shownStatus(unit, lost);
  const view: UnitStatusView = {
    'workload-status': shown.workloadStatus,
    'agent-status': shown.agentStatus,
    'public-address': addresses.get(unit.machine) ?? '',
  };
  const revision = revisionOf(unit);
  if (revision !== undefined) view['charm-rev'] = revision;
  if (unit.name === leader) view.leader = true;
  if (unit.principal === undefined) view.machine = unit.machine;
  const warning = context.certificateWarning(unit.name);
  if (warning !== undefined) view['certificate-warning'] = warning;
  const subordinates = context.subordinatesOf.get(unit.name) ?? [];
  if (subordinates.length > 0) {
    view.subordinates = Object.fromEntries(
      subordinates.map((s) => [
        s.name,
        unitView(store, s, context.leaderOf(s.application), context),
      ]),
    );
  }
  return view;
}

/** Part of the model, for a filtered status (status-answer.ts): views of these applications
 * only, listing the units `unit` keeps; their status and scale still count every unit. */
export interface StatusScope {
  applications: ReadonlySet<string>;
  unit(unit: UnitRecord): boolean;
}

/** What the caller read already (a large model's rows cost tens of ms to read again). */
export interface StatusReads {
  units: readonly UnitRecord[];
  /** Machine id → address. */
  addresses: ReadonlyMap<string, string>;
  /** The clock certificate warnings are judged by (ms since the epoch); default now. */
  now?: number;
}

export function modelStatus(
  store: Store,
  lost: LostMachines = new Map(),
  scope?: StatusScope,
  reads?: StatusReads,
): {
  applications: Record<string, ApplicationStatusView>;
  relations: RelationStatusView[];
} {
  const addresses = reads?.addresses ?? new Map(store.machines().map((m) => [m.id, m.address]));
  const units = reads?.units ?? store.units();
  const relations = store.relations();
  const apps = store.applications();
  const subordinate = new Set(apps.filter((a) => a.subordinate).map((a) => a.name));
  const subordinatesOf = new Map<string, UnitRecord[]>();
  for (const u of units) {
    if (u.principal !== undefined) {
      subordinatesOf.set(u.principal, [...(subordinatesOf.get(u.principal) ?? []), u]);
    }
  }
  const leaders = new Map(apps.map((a) => [a.name, store.leader(a.name)]));
  const leaderOf = (application: string) => leaders.get(application);
  const expiries = certificateExpiries(store, units).units;
  const warnWithin = certificateWarningMs(store.modelConfig());
  const now = reads?.now ?? Date.now();
  const context = {
    certificateWarning: (unit: string) => {
      const expires = expiries.get(unit);
      return expires === undefined ? undefined : expiryWarning(expires, now, warnWithin);
    },
    addresses,
    revisionOf: revisions(store, apps),
    lost,
    subordinatesOf,
    leaderOf,
  };
  const applications: Record<string, ApplicationStatusView> = {};
  for (const app of apps) {
    if (scope && !scope.applications.has(app.name)) continue;
    const own = units.filter((u) => u.application === app.name);
    const leader = leaderOf(app.name);
    const shown = own.map((u) => shownStatus(u, lost).workloadStatus);
    const leaderStatus = shown[own.findIndex((u) => u.name === leader)];
    const derived: StatusInfo<WorkloadStatus> | undefined = deriveApplicationStatus(
      // Rune has no separate application status yet: the leader's unit status stands for it
      // only when it is the most severe, so an error on a follower still shows.
      undefined,
      shown,
    );
    const status = derived ??
      leaderStatus ?? { current: 'unknown' as const, message: '', since: '' };
    const related: Record<string, string[]> = {};
    for (const r of relations.filter((r) => r.life === 'alive')) {
      const mine = r.endpoints.find((e) => e.application === app.name);
      if (!mine) continue;
      const others =
        r.endpoints.length === 1
          ? [app.name]
          : r.endpoints.filter((e) => e !== mine).map((e) => e.application);
      related[mine.name] = [...new Set([...(related[mine.name] ?? []), ...others])].sort();
    }
    const view: ApplicationStatusView = {
      charm: app.charm,
      'charm-name': app.charm,
      'charm-rev': app.charmRevision,
      ...rolloutNote(store, app.name),
      exposed: app.exposed,
      'application-status': status,
      relations: related,
      scale: own.length,
    };
    if (app.subordinate) {
      view['subordinate-to'] = [
        ...new Set(
          relations.flatMap((r) =>
            r.endpoints.some((e) => e.application === app.name)
              ? r.endpoints.map((e) => e.application)
              : [],
          ),
        ),
      ]
        .filter((a) => a !== app.name && !subordinate.has(a))
        .sort();
    } else {
      view.units = Object.fromEntries(
        (scope ? own.filter((u) => scope.unit(u)) : own).map((u) => [
          u.name,
          unitView(store, u, leader, context),
        ]),
      );
    }
    applications[app.name] = view;
  }
  const rows: RelationStatusView[] = relations
    .filter((r) => r.life === 'alive')
    .map((r) => {
      const [a, b = a] = r.endpoints as [(typeof r.endpoints)[0], ...typeof r.endpoints];
      const provider = a.role === 'requirer' ? b : a;
      const requirer = provider === a ? b : a;
      const type: RelationStatusView['type'] =
        r.endpoints.length === 1
          ? 'peer'
          : r.endpoints.some((e) => e.scope === 'container')
            ? 'subordinate'
            : 'regular';
      return {
        id: r.id,
        provider: `${provider.application}:${provider.name}`,
        requirer: `${requirer.application}:${requirer.name}`,
        interface: a.interface,
        type,
      };
    });
  return { applications, relations: rows };
}

/** A running or halted rollout, as status says it (DESIGN §11). */
function rolloutNote(store: Store, application: string): { rollout?: string } {
  const r = store.activeRollout(application);
  if (!r) return {};
  const updated = r.units.filter((u) => u.state === 'updated').length;
  const where = `rollout ${r.id} (${r.change}) ${updated}/${r.units.length}`;
  return { rollout: r.state === 'halted' ? `${where} halted: ${r.message}` : `${where} running` };
}

// What the dashboard shows (issue 17 item 4), read from the API's own views: the model graph with
// units aggregated per application, an application's and a unit's panels. Pure: the routes
// (dashboard-routes.ts) fetch the inputs. Config values that hold secrets never leave here.
import type {
  ApplicationNode,
  ApplicationView,
  ConfigRow,
  GraphView,
  Health,
  MachineRow,
  RelationEdge,
  StatusLogRow,
  UnitRow,
  UnitView,
} from '../dashboard/types.js';
import { isSecretSetting, redact } from '../model/redact.js';
import type {
  ApplicationStatusView,
  ConfigOptionView,
  MachineStatusView,
  StatusResponse,
  UnitStatusView,
} from './api.js';
import type { StatusLogResponse } from './status-log-view.js';

/** Most severe first (DESIGN §6's order, with the agent's own failures on top). */
const SEVERITY = [
  'error',
  'failed',
  'lost',
  'blocked',
  'maintenance',
  'waiting',
  'unknown',
  'terminated',
  'active',
];

const HEALTH: Record<string, Health> = {
  active: 'ok',
  maintenance: 'busy',
  waiting: 'busy',
  error: 'bad',
  failed: 'bad',
  lost: 'bad',
  blocked: 'bad',
};

export function healthOf(status: string): Health {
  return HEALTH[status] ?? 'unknown';
}

function severity(status: string): number {
  const i = SEVERITY.indexOf(status);
  return i < 0 ? SEVERITY.indexOf('unknown') : i;
}

/** The status a unit counts as: its agent's failure outranks whatever its workload last said. */
function statusOf(workload: string, agent: string): string {
  return agent === 'error' || agent === 'failed' || agent === 'lost' ? agent : workload;
}

const rowStatus = (u: UnitRow) => statusOf(u.workload, u.agent);

function row(name: string, u: UnitStatusView, principal?: UnitRow): UnitRow {
  const status = statusOf(u['workload-status'].current, u['agent-status'].current);
  const out: UnitRow = {
    name,
    workload: u['workload-status'].current,
    agent: u['agent-status'].current,
    message: redact(u['workload-status'].message),
    health: healthOf(status),
    machine: u.machine ?? principal?.machine ?? '',
    address: u['public-address'],
    leader: u.leader === true,
  };
  if (u['charm-rev'] !== undefined) out.charmRev = u['charm-rev'];
  if (principal) out.principal = principal.name;
  return out;
}

/** Every unit of the model as a row, subordinates beside their principals, by application. */
function unitRows(status: StatusResponse): Map<string, UnitRow[]> {
  const rows = new Map<string, UnitRow[]>();
  const add = (r: UnitRow) => {
    const app = r.name.slice(0, r.name.lastIndexOf('/'));
    let list = rows.get(app);
    if (!list) rows.set(app, (list = []));
    list.push(r);
  };
  for (const app of Object.values(status.applications ?? {})) {
    for (const [name, u] of Object.entries(app.units ?? {})) {
      const principal = row(name, u);
      add(principal);
      for (const [sub, s] of Object.entries(u.subordinates ?? {})) add(row(sub, s, principal));
    }
  }
  return rows;
}

function node(
  name: string,
  app: ApplicationStatusView,
  units: readonly UnitRow[],
): ApplicationNode {
  const counts: Record<string, number> = {};
  let worst = units.length === 0 ? app['application-status'].current : 'active';
  for (const u of units) {
    const s = rowStatus(u);
    counts[s] = (counts[s] ?? 0) + 1;
    if (severity(s) < severity(worst)) worst = s;
  }
  const out: ApplicationNode = {
    name,
    charm: app['charm-name'],
    charmRev: app['charm-rev'],
    status: app['application-status'].current,
    message: redact(app['application-status'].message),
    worst,
    health: healthOf(worst),
    units: units.length,
    counts,
  };
  if (app['subordinate-to']) out.subordinateTo = [...app['subordinate-to']];
  return out;
}

function endpoint(text: string): { application: string; endpoint: string } {
  const at = text.indexOf(':');
  return at < 0
    ? { application: text, endpoint: '' }
    : { application: text.slice(0, at), endpoint: text.slice(at + 1) };
}

export function graphView(status: StatusResponse, generation: number): GraphView {
  const rows = unitRows(status);
  const applications = Object.entries(status.applications ?? {})
    .map(([name, app]) => node(name, app, rows.get(name) ?? []))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const relations: RelationEdge[] = (status.relations ?? []).map((r) => ({
    id: r.id,
    provider: endpoint(r.provider),
    requirer: endpoint(r.requirer),
    interface: r.interface,
    type: r.type,
  }));
  return {
    model: status.model.name,
    controller: status.model.controller,
    generation,
    applications,
    relations,
  };
}

function machineRow(id: string, m: MachineStatusView): MachineRow {
  return {
    id,
    status: m['machine-status'].current,
    address: m['dns-name'],
    instance: m['instance-id'],
    base: m.base,
  };
}

/** The option's value for the page, or masked: a secret is known to be set, never what it is. */
export function configRows(options: Record<string, ConfigOptionView>): ConfigRow[] {
  return Object.entries(options).map(([name, o]) => {
    const value = o.value === undefined ? undefined : String(o.value);
    const masked = value !== undefined && value !== '' && isSecretSetting(name, value);
    const out: ConfigRow = { name, masked, source: o.source };
    if (value !== undefined) out.value = masked ? '********' : redact(value);
    return out;
  });
}

export function historyRows(log: StatusLogResponse): StatusLogRow[] {
  return log.entries.map((e) => ({ ...e, message: redact(e.message) }));
}

export function applicationView(
  status: StatusResponse,
  name: string,
  config: Record<string, ConfigOptionView>,
  history: StatusLogResponse,
): ApplicationView | undefined {
  const app = status.applications?.[name];
  if (!app) return undefined;
  const units = unitRows(status).get(name) ?? [];
  const ids = [...new Set(units.map((u) => u.machine).filter((m) => m !== ''))];
  const machines = ids.flatMap((id) => {
    const m = status.machines[id];
    return m ? [machineRow(id, m)] : [];
  });
  machines.sort((a, b) => Number(a.id) - Number(b.id));
  const view: ApplicationView = {
    node: node(name, app, units),
    units,
    machines,
    config: configRows(config),
    history: historyRows(history),
  };
  const leader = units.find((u) => u.leader)?.name;
  if (leader !== undefined) view.leader = leader;
  return view;
}

export function unitView(
  status: StatusResponse,
  name: string,
  history: StatusLogResponse,
): UnitView | undefined {
  const application = name.slice(0, name.lastIndexOf('/'));
  const unit = unitRows(status)
    .get(application)
    ?.find((u) => u.name === name);
  if (!unit) return undefined;
  const m = status.machines[unit.machine];
  const view: UnitView = { unit, application, history: historyRows(history) };
  if (m) view.machine = machineRow(unit.machine, m);
  return view;
}

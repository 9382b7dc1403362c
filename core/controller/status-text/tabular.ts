// Juju's tabular `status` sections: Model, App, Unit, Machine and (with --relations)
// Integration (DESIGN §10). Pure: a StatusResponse in, lines out.
import type { StatusResponse, StatusValue, UnitStatusView } from '../api.js';
import { compareRelations } from './ordered.js';
import { compareUnitNames, naturalCompare, table } from './table.js';

export interface TabularOptions {
  /** `--relations`: add the Integration section (Juju 3 hides it by default). */
  relations?: boolean;
  /** The filter patterns the response was narrowed by: an empty result then says so. */
  patterns?: readonly string[];
}

type Row = string[];

/**
 * What the agent is running, from its message, as Juju's agentDoing: `install` for "running
 * install hook", the action name for "running action NAME". Only while executing.
 */
function agentDoing(agent: StatusValue): string {
  if (agent.current !== 'executing') return '';
  const hook = /running ([\w-]+) hook/.exec(agent.message)?.[1];
  return hook ?? /running action (.*)/.exec(agent.message)?.[1] ?? '';
}

function unitMessage(unit: UnitStatusView): string {
  const agent = unit['agent-status'];
  let message = unit['workload-status'].message;
  // A unit still allocating has no workload message yet; Juju shows why it is waiting.
  if (agent.current === 'allocating' && message === '') message = agent.message;
  // A certificate about to expire is said beside what the charm says, never instead of it.
  const warning = unit['certificate-warning'];
  if (warning !== undefined) message = message === '' ? warning : `${message}; ${warning}`;
  const doing = agentDoing(agent);
  return doing === '' ? message : `(${doing}) ${message}`;
}

/** A unit and, indented two spaces per level, its subordinates (on its machine, so blank);
 * with `rev`, the charm revision each is on after the Agent column. */
function unitRows(name: string, unit: UnitStatusView, level: number, rev: boolean): Row[] {
  const row: Row = [
    `${' '.repeat(level * 2)}${name}${unit.leader === true ? '*' : ''}`,
    unit['workload-status'].current,
    unit['agent-status'].current,
    level === 0 ? (unit.machine ?? '') : '',
    unit['public-address'],
    '', // Ports: the API does not report opened ports yet.
    unitMessage(unit),
  ];
  if (rev) row.splice(3, 0, String(unit['charm-rev'] ?? ''));
  const rows = [row];
  const subordinates = unit.subordinates ?? {};
  for (const sub of Object.keys(subordinates).sort(compareUnitNames)) {
    const view = subordinates[sub];
    if (view) rows.push(...unitRows(sub, view, level + 1, rev));
  }
  return rows;
}

/**
 * Whether the Unit section shows each unit's charm revision: only while it says something — a
 * rollout runs or is halted, or a unit is on another revision than its application (DESIGN §11).
 */
function showUnitRevisions(status: StatusResponse): boolean {
  const apps = status.applications ?? {};
  const differs = (name: string, unit: UnitStatusView): boolean => {
    const app = apps[name.slice(0, name.indexOf('/'))];
    const own = unit['charm-rev'] !== undefined && unit['charm-rev'] !== app?.['charm-rev'];
    return own || Object.entries(unit.subordinates ?? {}).some(([n, u]) => differs(n, u));
  };
  return Object.values(apps).some(
    (app) =>
      app.rollout !== undefined || Object.entries(app.units ?? {}).some(([n, u]) => differs(n, u)),
  );
}

function modelSection(status: StatusResponse): string[] {
  const { model } = status;
  // Juju's Notes column: here, the resurrector holding back.
  const notes = model.resurrector === undefined ? [] : [model.resurrector];
  const members = model.members === undefined ? [] : [model.members];
  return table([
    [
      'Model',
      'Controller',
      'Cloud/Region',
      'Version',
      ...(members.length > 0 ? ['Members'] : []),
      ...(notes.length > 0 ? ['Notes'] : []),
    ],
    [model.name, model.controller, model.cloud, model.version, ...members, ...notes],
  ]);
}

function applicationSection(status: StatusResponse): string[] {
  const apps = status.applications ?? {};
  const rows = Object.keys(apps)
    .sort(naturalCompare)
    .map((name): Row => {
      const app = apps[name];
      if (!app) return [name];
      const { current, message } = app['application-status'];
      // Version stays blank until the API reports a workload version.
      return [
        name,
        '',
        current,
        String(app.scale),
        app['charm-name'],
        String(app['charm-rev']),
        app.rollout === undefined ? message : `${app.rollout}; ${message}`,
      ];
    });
  if (rows.length === 0) return [];
  // Juju right-aligns Scale and Rev (columns 3 and 5).
  return table([['App', 'Version', 'Status', 'Scale', 'Charm', 'Rev', 'Message'], ...rows], {
    alignRight: [3, 5],
  });
}

function unitSection(status: StatusResponse): string[] {
  const units = new Map<string, UnitStatusView>();
  for (const app of Object.values(status.applications ?? {}))
    for (const [name, unit] of Object.entries(app.units ?? {})) units.set(name, unit);
  if (units.size === 0) return [];
  const rev = showUnitRevisions(status);
  const rows = [...units.keys()]
    .sort(compareUnitNames)
    .flatMap((name) => unitRows(name, units.get(name) as UnitStatusView, 0, rev));
  const header = ['Unit', 'Workload', 'Agent', 'Machine', 'Address', 'Ports', 'Message'];
  if (!rev) return table([header, ...rows]);
  header.splice(3, 0, 'Rev');
  return table([header, ...rows], { alignRight: [3] });
}

function machineSection(status: StatusResponse): string[] {
  const ids = Object.keys(status.machines).sort(naturalCompare);
  if (ids.length === 0) return [];
  const rows = ids.map((id): Row => {
    const m = status.machines[id];
    if (!m) return [id];
    return [
      id,
      m['machine-status'].current,
      m['dns-name'],
      m['instance-id'],
      m.base,
      m['machine-status'].message,
    ];
  });
  return table([['Machine', 'State', 'Address', 'Inst-id', 'Base', 'Message'], ...rows]);
}

function integrationSection(status: StatusResponse): string[] {
  const relations = [...(status.relations ?? [])].sort(compareRelations);
  if (relations.length === 0) return [];
  const rows = relations.map((r): Row => [r.provider, r.requirer, r.interface, r.type]);
  return table([['Integration provider', 'Requirer', 'Interface', 'Type'], ...rows]);
}

export function formatTabular(status: StatusResponse, options: TabularOptions = {}): string {
  const lines = modelSection(status);
  const sections = [
    applicationSection(status),
    unitSection(status),
    machineSection(status),
    options.relations === true ? integrationSection(status) : [],
  ];
  for (const section of sections) if (section.length > 0) lines.push('', ...section);
  const empty =
    Object.keys(status.applications ?? {}).length === 0 &&
    Object.keys(status.machines).length === 0;
  if (empty) {
    const patterns = options.patterns ?? [];
    // Juju's own words for the two kinds of nothing.
    if (patterns.length === 0) lines.push('', `Model "${status.model.name}" is empty.`);
    else lines.push('', `Nothing matched specified filter${patterns.length === 1 ? '' : 's'}.`);
  }
  return lines.join('\n');
}

// The dashboard's JSON, as the controller serves it and the browser reads it (issue 17 item 4).
// Types only, importing nothing: the browser bundle and the controller share this file.

/** A status colour's class: what an operator should feel on seeing it. */
export type Health = 'ok' | 'busy' | 'bad' | 'unknown';

/** The model graph: one node per application (units aggregated, so 10,000 units cost nothing). */
export interface GraphView {
  model: string;
  controller: string;
  /** The event bus's generation this view was read at. */
  generation: number;
  applications: ApplicationNode[];
  relations: RelationEdge[];
}

export interface ApplicationNode {
  name: string;
  charm: string;
  charmRev: number;
  /** The application's status (its leader's, else the most severe of its units'). */
  status: string;
  message: string;
  /** The most severe unit status: the node's colour. */
  worst: string;
  health: Health;
  units: number;
  /** Units per workload status (an agent in error counts as `error`). */
  counts: Record<string, number>;
  /** Set on a subordinate: the principals it follows. */
  subordinateTo?: string[];
}

export interface RelationEdge {
  id: number;
  /** Application and endpoint: `etcd:certificates`. */
  provider: { application: string; endpoint: string };
  requirer: { application: string; endpoint: string };
  interface: string;
  type: 'regular' | 'peer' | 'subordinate';
}

export interface UnitRow {
  name: string;
  workload: string;
  agent: string;
  message: string;
  health: Health;
  machine: string;
  address: string;
  leader: boolean;
  charmRev?: number;
  /** The principal unit a subordinate unit lives beside. */
  principal?: string;
}

export interface MachineRow {
  id: string;
  status: string;
  address: string;
  instance: string;
  base: string;
}

export interface ConfigRow {
  name: string;
  /** Absent when unset; `masked` when it holds a secret, which never leaves the controller. */
  value?: string;
  masked: boolean;
  source: 'default' | 'user' | 'unset';
}

export interface StatusLogRow {
  since: string;
  type: string;
  status: string;
  message: string;
}

export interface ApplicationView {
  node: ApplicationNode;
  units: UnitRow[];
  machines: MachineRow[];
  leader?: string;
  config: ConfigRow[];
  history: StatusLogRow[];
}

export interface UnitView {
  unit: UnitRow;
  application: string;
  machine?: MachineRow;
  history: StatusLogRow[];
}

/** One hook run, as the live log shows it (already redacted by the controller). */
export interface HookRow {
  id: number;
  unit: string;
  hook: string;
  startedAt: string;
  outcome?: 'ok' | 'error';
  message: string;
  logs: string[];
}

/** The server-sent events of /dashboard/api/events. */
export interface ModelEvent {
  generation: number;
}
export interface HooksEvent {
  hooks: HookRow[];
}

/** What a browser test (or a curious operator's console) reads of the drawn graph. */
export interface DrawnGraph {
  nodes: {
    id: string;
    units: number;
    worst: string;
    health: string;
    /** The colour given, and what cytoscape painted (`rgb(r,g,b)`). */
    colour: string;
    drawnColour: string;
  }[];
  edges: { source: string; target: string; label: string }[];
}

/** `window.runeDashboard`: the page's state for tests and the console. */
export interface DashboardHook {
  graph(): DrawnGraph;
  /** A node's centre in pixels from the graph's top left corner. */
  position(application: string): { x: number; y: number } | undefined;
  generation(): number;
  hooks(): readonly HookRow[];
}

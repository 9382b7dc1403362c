// The controller's API (DESIGN §2): HTTP/JSON over a unix socket. Request and response shapes
// shared by the server (api-server.ts) and the CLI's client (api-client.ts).

/** `rune sim lose-machine | heal-machine`: on a sim cloud only. */
export interface SimulateRequest {
  action: 'lose' | 'heal';
  machines: string[];
}

export interface PingResponse {
  name: string;
  id: string;
  version: string;
  pid: number;
  /** A highly available controller's member (member.ts): which, and whether it is active. */
  member?: { id: number; active: boolean };
}

export interface AddMachinesRequest {
  /** `ssh:[user@]host[:port]` for a manual machine; absent for the controller's provider. */
  target?: string;
  /** Path of the private key for a manual machine (read by the controller, never sent). */
  privateKeyFile?: string;
  count: number;
  constraints: string;
}

export interface AddedMachine {
  id: string;
  address: string;
  /** `SHA256:...` pinned on first contact. */
  hostKey: string;
}

export interface AddMachinesResponse {
  machines: AddedMachine[];
}

export interface SshAccess {
  address: string;
  port: number;
  user: string;
  keyFile: string;
  hostPublicKey: string;
}

export interface StatusValue {
  current: string;
  message: string;
  since?: string;
}

export interface MachineStatusView {
  'machine-status': StatusValue;
  'agent-status': StatusValue;
  'dns-name': string;
  'instance-id': string;
  base: string;
  hardware: string;
  constraints?: string;
}

/** A unit as Juju's status prints it; subordinates nest under their principal. */
export interface UnitStatusView {
  'workload-status': StatusValue;
  'agent-status': StatusValue;
  /** Present and true only on the leader (Juju omits it otherwise). */
  leader?: boolean;
  /** Absent on subordinate units (they are on their principal's machine). */
  machine?: string;
  'public-address': string;
  /** The charm revision the unit is on: its application's, or an older one while a rollout
   * has not reached it (DESIGN §11). */
  'charm-rev'?: number;
  /** Present while a certificate the unit holds expires within the model's
   * certificate-expiry-warning (or has expired): what and when. */
  'certificate-warning'?: string;
  subordinates?: Record<string, UnitStatusView>;
}

export interface ApplicationStatusView {
  charm: string;
  'charm-name': string;
  /** The charm revision the application runs (1 at deploy; each refresh moves it). */
  'charm-rev': number;
  /** A rollout running or halted: its id, change, progress and why it halted. */
  rollout?: string;
  exposed: boolean;
  /** Subordinate applications list the principals they follow instead of units. */
  'subordinate-to'?: string[];
  'application-status': StatusValue;
  /** Endpoint → the applications related on it, sorted. */
  relations: Record<string, string[]>;
  units?: Record<string, UnitStatusView>;
  /** Juju's Scale column: units of this application (subordinates included). */
  scale: number;
}

/** An integration row: provider and requirer as `app:endpoint`, or both the same for a peer. */
export interface RelationStatusView {
  id: number;
  provider: string;
  requirer: string;
  interface: string;
  type: 'regular' | 'peer' | 'subordinate';
}

/** The longest the server holds a /changes long-poll: well under the client's request timeout,
 * and short enough that a client that vanished without closing its socket costs little. */
export const MAX_CHANGES_WAIT_MS = 30_000;

/** `GET /v1/changes?after=N&timeoutMs=T`: the event bus's generation, answered once it differs
 * from N (or when T passes); N = -1 answers the current one at once, as a starting point. */
export interface ChangesResponse {
  generation: number;
}

export interface StatusResponse {
  model: {
    name: string;
    controller: string;
    cloud: string;
    version: string;
    /** Set while the resurrector's meltdown brake holds, saying why. */
    resurrector?: string;
    /** A highly available controller's members and what each does (the CLI adds it). */
    members?: string;
  };
  machines: Record<string, MachineStatusView>;
  applications?: Record<string, ApplicationStatusView>;
  relations?: RelationStatusView[];
}

/** One line of the exec stream (NDJSON): output chunks in base64, then the exit code. */
export type ExecFrame =
  { out: string } | { err: string } | { exit: number } | { error: ApiErrorBody };

export interface ApiErrorBody {
  kind: 'user' | 'internal';
  type: string;
  message: string;
}

export interface DeployRequest {
  /** Absolute paths: the controller runs on this host and reads them itself. */
  bundle: string;
  overlays: string[];
  /** The bundle's machine ids are the model's own, which must exist (`rune deploy CHARM --to
   * N`, as Juju's --to). */
  existingMachines?: boolean;
}

export interface DeployResponse {
  /** One line per change applied (`deploy application etcd using charm etcd`). */
  changes: string[];
  warnings: string[];
}

export interface AddUnitsRequest {
  application: string;
  count: number;
  /** An existing machine id; absent: a new machine per unit. */
  to?: string;
}

/** One option as `rune config APP` shows it. */
export interface ConfigOptionView {
  value?: string | number | boolean;
  source: 'default' | 'user' | 'unset';
  type: string;
  description: string;
}

/** `rune run` (DESIGN §10). */
export interface ActionRequest {
  /** `etcd/0`, or `etcd/leader` for whichever unit leads. */
  target: string;
  action: string;
  /** As typed: `k=v` words, typed by the action's schema here. */
  params: Record<string, string>;
}

/** `rune attach-resource` (DESIGN §10). */
export interface AttachRequest {
  application: string;
  /** Resource name → absolute path on the controller's host. */
  files: Record<string, string>;
  /** The rollout's policy flags, as typed (rollout-policy.ts). */
  policy?: { canaries?: string; maxInFlight?: string; watch?: string };
}

export interface Attached {
  name: string;
  revision: number;
  sha256: string;
  size: number;
}

/** `rune export-bundle` (issue 14): the live model as Juju-format bundle YAML. */
export interface ExportBundleRequest {
  /** Absolute folder the bundle will be saved in: local charm paths are written relative to
   * it. Absent: written as absolute paths. */
  relativeTo?: string;
}

export interface ExportBundleResponse {
  bundle: string;
  /** One line per thing left out (a secret option). */
  warnings: string[];
}

/** `rune diff-bundle` (issue 14): the bundle's files, as for deploy. */
export type DiffBundleRequest = DeployRequest;

export interface DiffBundleResponse {
  /** YAML in the shape of Juju's diff-bundle; "" when the bundle and the model agree. */
  diff: string;
  warnings: string[];
}

/** `POST /v1/users` (unix socket only): the user, and the one-time string for rune register. */
export interface AddUserResponse {
  user: string;
  /** False when the user existed: a new registration string for it. */
  created: boolean;
  registration: string;
  expiresAt: string;
}

/** `POST /v1/dashboard` (rune dashboard): where the web dashboard is, and a one-time login
 * secret the browser swaps for a session cookie (issue 17 item 4). */
export interface DashboardLoginResponse {
  /** `https://127.0.0.1:PORT/dashboard/` as the controller serves it. */
  url: string;
  /** The same with the secret: works once, until expiresAt. */
  login: string;
  expiresAt: string;
}

/** `POST /v1/register` (TCP, no token): the session token the one-time secret was swapped for. */
export interface RegisterResponse {
  user: string;
  token: string;
  expiresAt: string;
}

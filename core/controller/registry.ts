// The controllers on this host: each a folder under $RUNE_HOME/controllers with its identity
// (controller.json) and SSH key pair, read here; created by controller-creation.ts (it makes
// keys, which a command that only reads, like `rune status`, should not load).
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import type { ProviderKind } from '../store/types.js';
import { ControllerNotFoundError } from './errors.js';
import { controllerPaths, controllersDir, currentControllerFile } from './paths.js';

export interface ControllerInfo {
  name: string;
  /** Six hex digits; names of everything the controller makes on the host derive from it. */
  id: string;
  /** What `add-machine` with no target makes: local machines, or none (manual). */
  provider: ProviderKind;
  createdAt: string;
  /** A sim cloud's latency model: each call to a machine waits fixed ± jitter ms. */
  sim?: { fixedMs: number; jitterMs: number };
  /** Set by enable-ha: the controller runs as members over a store in etcd (member.ts). */
  ha?: HaInfo;
  /** Where its API listens over TCP (api-remote.ts): one port per member, recorded on start;
   * `hosts`, when members run on other hosts (enable-ha --to), each member's own address. */
  api?: { host: string; ports: number[]; hosts?: string[] };
  /** A controller on another host, reached over TCP (rune register: remote-registry.ts). */
  remote?: RemoteInfo;
}

/** What `rune register` recorded of a remote controller; the token sits in a file of its own. */
export interface RemoteInfo {
  user: string;
  /** `host:port` of each member's API, tried in order. */
  addresses: string[];
  /** The CA pinned at register (PEM file), and its SHA-256 fingerprint. */
  caFile: string;
  caFingerprint: string;
  /** The session token (0600); gone after rune logout. */
  tokenFile: string;
  registeredAt: string;
}

/** A highly available controller: how many members, and where its store's etcd is. */
export interface HaInfo {
  members: number;
  store: {
    /** https client URLs of the store's etcd members. */
    endpoints: string[];
    /** The controller's etcd client certificate, key and the cluster's CA (PEM files, 0600). */
    tls: { caFile: string; certFile: string; keyFile: string };
  };
  /** The store cluster's own description, for starting and stopping its members. */
  clusterFile: string;
  enabledAt: string;
  /** Members placed on other hosts by enable-ha --to (ha-hosts.ts); the rest run on this one. */
  hosts?: HaHost[];
  /** With `hosts`: the session token (0600 file, this host only) its CLI reaches them with. */
  tokenFile?: string;
}

/** A member on another host: the manual machine it runs on and how to reach it over SSH. */
export interface HaHost {
  member: number;
  /** The model's machine number (`enable-ha --to 1,2`). */
  machine: string;
  address: string;
  sshPort: number;
  user: string;
  /** The private key file and the host key pinned when the machine was added. */
  keyFile: string;
  hostKey: string;
  /** `address:port` of the member's API over TCP. */
  api: string;
  /** Node.js there, as enable-ha found it: what starts the member again. */
  node: string;
  /** The host shares this host's files: removing the member there removes its own files only. */
  sharedFiles?: boolean;
}

export function listControllers(home: string): ControllerInfo[] {
  const dir = controllersDir(home);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(controllerPaths(home, name).config))
    .sort()
    .map((name) => readController(home, name));
}

export function readController(home: string, name: string): ControllerInfo {
  const file = controllerPaths(home, name).config;
  if (!existsSync(file)) {
    throw new ControllerNotFoundError(
      name,
      listControllers(home).map((c) => c.name),
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as ControllerInfo;
}

/** Rewrites controller.json (enable-ha); written whole, then renamed over the old one. */
export function writeController(home: string, info: ControllerInfo): void {
  const file = controllerPaths(home, info.name).config;
  writeFileSync(`${file}.new`, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.new`, file);
}

export function currentController(home: string): string | undefined {
  const file = currentControllerFile(home);
  if (!existsSync(file)) return undefined;
  const name = readFileSync(file, 'utf8').trim();
  return existsSync(controllerPaths(home, name).config) ? name : undefined;
}

export function setCurrentController(home: string, name: string): void {
  mkdirSync(home, { recursive: true });
  writeFileSync(currentControllerFile(home), `${name}\n`);
}

// The files a member on another host needs (enable-ha --to), at the same paths as here so every
// path in controller.json, cluster.json and the machine records holds there: the store member's
// certificates first, then the rest. Secrets 0600 in 0700 folders, never logged.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { commandLine } from '../charm/shell.js';
import type { FileWrite } from '../model/machine.js';
import { apiTlsDir } from './api-tls.js';
import { HaHostStepError } from './ha-host-errors.js';
import { errorText, type MemberHost } from './ha-hosts.js';
import { memberDir } from './member-paths.js';
import type { ControllerPaths } from './paths.js';
import type { StoreClusterInfo } from './wiring.js';

const SECRET = 0o600;
const PUBLIC = 0o644;

interface HostFiles {
  dirs: string[];
  files: { path: string; mode: number }[];
}

/** Store member `n`'s own files: the cluster's CA and its certificate and key. */
export function storeMemberFiles(paths: ControllerPaths, cluster: StoreClusterInfo, n: number) {
  const member = cluster.members[n];
  if (member === undefined) throw new RangeError(`no store member ${n} in ${cluster.dir}`);
  const home = dirname(dirname(paths.dir));
  return {
    dirs: [home, dirname(paths.dir), paths.dir, cluster.dir, dirname(member.dataDir)],
    files: [
      { path: cluster.tls.caFile, mode: PUBLIC },
      { path: member.certFile, mode: SECRET },
      { path: member.keyFile, mode: SECRET },
    ],
  };
}

/** Controller member `n`'s files; controller.json comes last, once it says where all are. */
export function controllerMemberFiles(
  paths: ControllerPaths,
  cluster: StoreClusterInfo,
  clusterFile: string,
  n: number,
): HostFiles {
  const tls = apiTlsDir(paths.dir);
  const machineKeys = existsSync(paths.keys)
    ? readdirSync(paths.keys).map((f) => ({ path: join(paths.keys, f), mode: SECRET }))
    : [];
  return {
    dirs: [
      dirname(paths.privateKey),
      paths.keys,
      tls,
      dirname(memberDir(paths, n)),
      memberDir(paths, n),
    ],
    files: [
      { path: paths.storeKey, mode: SECRET },
      { path: paths.privateKey, mode: SECRET },
      { path: paths.publicKey, mode: PUBLIC },
      ...machineKeys,
      // The server's certificate and key; the API CA's key stays here.
      { path: join(tls, 'ca.pem'), mode: PUBLIC },
      { path: join(tls, 'server.pem'), mode: PUBLIC },
      { path: join(tls, 'server.key'), mode: SECRET },
      { path: cluster.tls.certFile, mode: SECRET },
      { path: cluster.tls.keyFile, mode: SECRET },
      { path: clusterFile, mode: SECRET },
      { path: paths.config, mode: SECRET },
    ],
  };
}

/** Makes the folders (0700) and copies the files with their modes, one round trip each. */
export async function copyToHost(host: MemberHost, what: HostFiles, step: string): Promise<void> {
  const fail = (detail: string) => new HaHostStepError(host.record.id, host.address, step, detail);
  const made = await host.machine
    .run(`umask 077 && install -d -m 0700 ${commandLine(what.dirs)}`, { timeoutMs: 30_000 })
    .catch((e: unknown) => {
      throw fail(errorText(e));
    });
  if (made.code !== 0) throw fail(made.stderr.toString().trim() || `exit code ${made.code}`);
  const writes: FileWrite[] = what.files.map((f) => ({
    path: f.path,
    data: readFileSync(f.path),
    mode: f.mode,
  }));
  await host.machine.writeFiles(writes).catch((e: unknown) => {
    // The error names the file at most, never its contents.
    throw fail(errorText(e));
  });
}

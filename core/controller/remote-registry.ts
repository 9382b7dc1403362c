// A controller on another host in this client's registry (issue 16 item 5): controller.json with
// `remote` (its addresses, the CA pinned at register), the CA's PEM and the session token in a
// file of its own (0600). Written whole and only after register succeeded.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoggedOutError, RegisterNameTakenError } from './access-errors.js';
import type { RemoteTransport } from './tls-transport.js';
import { controllerPaths } from './paths.js';
import type { Registration } from './registration.js';
import {
  type ControllerInfo,
  type RemoteInfo,
  setCurrentController,
  writeController,
} from './registry.js';

/** Refuses a name this host's own controller has; a remote one is registered over. */
export function checkRegisterName(home: string, name: string): void {
  const file = controllerPaths(home, name).config;
  if (!existsSync(file)) return;
  const info = JSON.parse(readFileSync(file, 'utf8')) as ControllerInfo;
  if (info.remote === undefined) throw new RegisterNameTakenError(name);
}

export function recordRemote(
  home: string,
  name: string,
  registration: Registration,
  ca: string,
  token: string,
  at: Date,
): ControllerInfo {
  const dir = controllerPaths(home, name).dir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const remote: RemoteInfo = {
    user: registration.user,
    addresses: registration.addresses,
    caFile: join(dir, 'api-ca.pem'),
    caFingerprint: registration.caFingerprint,
    tokenFile: join(dir, 'token'),
    registeredAt: at.toISOString(),
  };
  writeFileSync(remote.caFile, ca, { mode: 0o644 });
  writeFileSync(remote.tokenFile, `${token}\n`, { mode: 0o600 });
  const info: ControllerInfo = {
    name,
    id: registration.id,
    provider: registration.provider,
    createdAt: at.toISOString(),
    remote,
  };
  writeController(home, info);
  setCurrentController(home, name);
  return info;
}

/** How the CLI reaches `info` over TCP; throws LoggedOutError when its token is gone. */
export function remoteTransport(info: ControllerInfo & { remote: RemoteInfo }): RemoteTransport {
  const { remote } = info;
  if (!existsSync(remote.tokenFile)) throw new LoggedOutError(info.name);
  return {
    addresses: remote.addresses,
    ca: readFileSync(remote.caFile, 'utf8'),
    token: readFileSync(remote.tokenFile, 'utf8').trim(),
  };
}

/** Deletes the token file; false when there was none. */
export function forgetToken(remote: RemoteInfo): boolean {
  if (!existsSync(remote.tokenFile)) return false;
  rmSync(remote.tokenFile);
  return true;
}

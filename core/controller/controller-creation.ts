// Bootstrap's first step: a controller's folder, identity (controller.json) and SSH key pair
// under $RUNE_HOME/controllers. Writes files only; running it is run.ts.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { ProviderKind } from '../store/types.js';
import { ControllerExistsError, ControllerNameError } from './errors.js';
import { controllerPaths } from './paths.js';
import { type ControllerInfo, setCurrentController } from './registry.js';
import { newEd25519KeyPair } from './wiring.js';

const NAME = /^[a-z][a-z0-9-]{0,39}$/;

export function createController(
  home: string,
  name: string,
  provider: ProviderKind,
  sim?: ControllerInfo['sim'],
): ControllerInfo {
  if (!NAME.test(name)) throw new ControllerNameError(name);
  const paths = controllerPaths(home, name);
  if (existsSync(paths.config)) throw new ControllerExistsError(name);
  mkdirSync(paths.keys, { recursive: true, mode: 0o700 });
  mkdirSync(paths.machines, { recursive: true, mode: 0o700 });
  const keys = newEd25519KeyPair(`rune-controller-${name}`);
  writeFileSync(paths.privateKey, keys.private, { mode: 0o600 });
  writeFileSync(paths.publicKey, `${keys.public}\n`, { mode: 0o644 });
  const info: ControllerInfo = {
    name,
    id: randomBytes(3).toString('hex'),
    provider,
    createdAt: new Date().toISOString(),
    ...(sim === undefined ? {} : { sim }),
  };
  // Written last: a folder without controller.json is a bootstrap that did not finish.
  writeFileSync(paths.config, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  setCurrentController(home, name);
  return info;
}

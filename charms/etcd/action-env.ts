// What every etcd action starts from: this unit's member (refused, with why, when it has none or
// its config is bad), its params as checked values, and the `key=value` lines scripts print.
import { type Ctx, type Env, fullConfig, makeEnv } from './env.js';
import { STATE } from './keys.js';
import { installedLayout } from './install.js';
import { EtcdActionError } from './workload/errors.js';
import { configBlockedMessage, validateConfig } from './workload/validate.js';

export function memberEnv(ctx: Ctx): Env {
  // The member's URLs and service flags come from config: a bad one must not reach etcd here
  // either (restore restarts the service with them).
  const invalid = configBlockedMessage(validateConfig(fullConfig(ctx)));
  if (invalid !== undefined) throw new EtcdActionError(invalid);
  const layout = installedLayout(ctx);
  if (layout === undefined || ctx.state.get(STATE.member) === undefined) {
    throw new EtcdActionError(`${ctx.unit} runs no etcd member yet`);
  }
  return makeEnv(ctx, layout);
}

export function keyValues(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

export function absolute(path: unknown, param: string): string {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new EtcdActionError(`${param} must be an absolute path, got ${JSON.stringify(path)}`);
  }
  return path;
}

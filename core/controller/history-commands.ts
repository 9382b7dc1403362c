// The command line history shows for each change (issue 14 item 5): the verb and its arguments
// rebuilt from the API request the controller received, in the CLI's syntax. The controller
// records it, so it is what was asked of the model whichever client asked; history.ts redacts it.
import { isSecretSetting } from '../model/redact.js';
import { SECRET_MARKER } from '../store/history-types.js';
import type { AddUnitsRequest, AttachRequest, DeployRequest } from './api.js';
import type { RefreshRequest } from './refresh.js';
import type { PolicyFlags } from './rollout-policy.js';

/** A word as a shell would need it: quoted when it holds a blank or a quote. */
const word = (w: string) => (/^[\w@%+=:,./[\]-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`);

export const commandLine = (...words: (string | false | undefined)[]): string =>
  words.flatMap((w) => (typeof w === 'string' ? [word(w)] : [])).join(' ');

function policy(flags: PolicyFlags | undefined): string[] {
  if (!flags) return [];
  return [
    ...(flags.canaries === undefined ? [] : ['--canaries', flags.canaries]),
    ...(flags.maxInFlight === undefined ? [] : ['--max-in-flight', flags.maxInFlight]),
    ...(flags.watch === undefined ? [] : ['--watch', flags.watch]),
  ];
}

export const commands = {
  deploy: (r: DeployRequest, resumed = false) =>
    commandLine('deploy', r.bundle, ...r.overlays.flatMap((o) => ['--overlay', o])) +
    (resumed ? ' (resumed after a controller restart)' : ''),
  addUnits: (r: AddUnitsRequest) =>
    commandLine(
      'add-unit',
      r.application,
      '-n',
      String(r.count),
      r.to !== undefined && '--to',
      r.to,
    ),
  relate: (r: { a: string; b: string }) => commandLine('relate', r.a, r.b),
  removeRelation: (r: { a: string; b: string }) => commandLine('remove-relation', r.a, r.b),
  removeUnits: (r: { units: string[]; force: boolean }) =>
    commandLine('remove-unit', ...r.units, r.force && '--force'),
  removeApplication: (r: { application: string; force: boolean }) =>
    commandLine('remove-application', r.application, r.force && '--force'),
  attachResources: (r: AttachRequest) =>
    commandLine(
      'attach-resource',
      r.application,
      ...Object.entries(r.files).map(([name, path]) => `${name}=${path}`),
    ),
  refresh: (r: RefreshRequest) =>
    commandLine(
      'refresh',
      r.application,
      ...(r.path === undefined ? [] : ['--path', r.path]),
      ...(r.revision === undefined ? [] : ['--revision', String(r.revision)]),
      ...policy(r.policy),
    ),
  config: (r: {
    application: string;
    values: Record<string, string>;
    reset: string[];
    policy?: PolicyFlags;
  }) =>
    commandLine(
      'config',
      r.application,
      // Redacted before quoting: a quoted secret with a blank would slip past redact()'s pattern.
      ...Object.entries(r.values).map(
        ([k, v]) => `${k}=${isSecretSetting(k, v) ? SECRET_MARKER : v}`,
      ),
      ...r.reset.flatMap((k) => ['--reset', k]),
      ...policy(r.policy),
    ),
  rollout: (r: { application: string; action: 'resume' | 'abort' }) =>
    commandLine('rollout', r.application, `--${r.action}`),
  rollback: (r: { application: string; to?: number; policy?: PolicyFlags }) =>
    commandLine(
      'rollback',
      r.application,
      ...(r.to === undefined ? [] : ['--to', String(r.to)]),
      ...policy(r.policy),
    ),
};

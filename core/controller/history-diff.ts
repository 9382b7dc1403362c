// What a change did to the model, as data and as one line (issue 14 item 5): two views of the
// model compared application by application, secret option values replaced by a marker before
// anything leaves this module. Pure: views in, diffs and text out.
import { isSecretSetting } from '../model/redact.js';
import type { ConfigValue, ConfigValues } from '../model/types.js';
import {
  type ApplicationChange,
  type ConfigChange,
  type RecordedSpec,
  SECRET_MARKER,
} from '../store/history-types.js';
import { own } from '../model/own.js';

/** An application as history sees it; config values are real, so a view never leaves memory. */
export interface ApplicationView {
  charm: string;
  charmRevision: number;
  config: ConfigValues;
  /** Resource → revision attached. */
  resources: Record<string, number>;
  /** Alive principal units (subordinates follow their principals and relations). */
  units: string[];
  /** Alive relations it is in, as `app:endpoint - app:endpoint`. */
  relations: string[];
}

export type ModelView = Record<string, ApplicationView>;

const isSecret = (name: string, value: ConfigValue) => isSecretSetting(name, String(value));
const shown = (name: string, value: ConfigValue): ConfigValue =>
  isSecret(name, value) ? SECRET_MARKER : value;

function configChange(before: ConfigValues, after: ConfigValues): ConfigChange | undefined {
  const change: ConfigChange = {};
  for (const name of Object.keys({ ...before, ...after }).sort()) {
    const [was, is] = [own(before, name), own(after, name)];
    if (was === is) continue;
    if (was === undefined) (change.added ??= {})[name] = shown(name, is as ConfigValue);
    else if (is === undefined) (change.removed ??= {})[name] = shown(name, was);
    // Both sides redacted when either is a secret: a secret's old value must not show either.
    else if (isSecret(name, was) || isSecret(name, is))
      (change.changed ??= {})[name] = [SECRET_MARKER, SECRET_MARKER];
    else (change.changed ??= {})[name] = [was, is];
  }
  return Object.keys(change).length > 0 ? change : undefined;
}

const EMPTY = { config: {}, resources: {}, units: [], relations: [] };

const without = (a: readonly string[], b: readonly string[]) => a.filter((x) => !b.includes(x));

/** Lists under `added`/`removed` only when not empty. */
function lists(units: string[], relations: string[]) {
  return {
    ...(units.length > 0 ? { units } : {}),
    ...(relations.length > 0 ? { relations } : {}),
  };
}

function applicationChange(
  name: string,
  before: ApplicationView | undefined,
  after: ApplicationView | undefined,
): ApplicationChange | undefined {
  const was = before ?? { ...EMPTY, charm: '', charmRevision: 0 };
  const is = after ?? { ...EMPTY, charm: '', charmRevision: 0 };
  const change: ApplicationChange = { application: name };
  if (before && after) {
    if (before.charmRevision !== after.charmRevision)
      change.charmRevision = [before.charmRevision, after.charmRevision];
    const config = configChange(before.config, after.config);
    if (config) change.config = config;
    const resources: Record<string, [number | null, number]> = {};
    for (const [resource, revision] of Object.entries(after.resources).sort()) {
      const old = own(before.resources, resource);
      if (old !== revision) resources[resource] = [old ?? null, revision];
    }
    if (Object.keys(resources).length > 0) change.resources = resources;
  }
  const added = {
    ...(before ? {} : { application: { charm: is.charm, charmRevision: is.charmRevision } }),
    ...lists(without(is.units, was.units), without(is.relations, was.relations)),
  };
  const removed = {
    ...(after ? {} : { application: true as const }),
    ...lists(without(was.units, is.units), without(was.relations, is.relations)),
  };
  if (Object.keys(added).length > 0) change.added = added;
  if (Object.keys(removed).length > 0) change.removed = removed;
  return Object.keys(change).length > 1 ? change : undefined;
}

/** What changed between two views: one entry per application touched, sorted by name. */
export function diffViews(before: ModelView, after: ModelView): ApplicationChange[] {
  return Object.keys({ ...before, ...after })
    .sort()
    .flatMap((name) => applicationChange(name, own(before, name), own(after, name)) ?? []);
}

/** Whether the change moved what rollback restores: charm revision, config or resources. */
export const changesSpec = (c: ApplicationChange): boolean =>
  c.charmRevision !== undefined || c.config !== undefined || c.resources !== undefined;

/** The spec rollback can restore, secrets left out (named only). */
export function recordedSpec(app: ApplicationView): RecordedSpec {
  const config: ConfigValues = {};
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(app.config).sort()) {
    if (isSecret(name, value)) secrets.push(name);
    else config[name] = value;
  }
  return { charmRevision: app.charmRevision, config, secrets, resources: { ...app.resources } };
}

const text = (v: ConfigValue) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

function applicationSummary(c: ApplicationChange): string[] {
  const parts: string[] = [];
  const { added, removed } = c;
  if (added?.application) {
    const units = added.units?.length ?? 0;
    parts.push(
      `deployed charm ${added.application.charm} r${added.application.charmRevision}` +
        (units > 0 ? ` with ${units} unit${units === 1 ? '' : 's'}` : ''),
    );
  } else if (added?.units) parts.push(`+${added.units.join(' +')}`);
  if (removed?.application) {
    const units = removed.units?.length ?? 0;
    parts.push(`removed${units > 0 ? ` with ${units} unit${units === 1 ? '' : 's'}` : ''}`);
  } else if (removed?.units) parts.push(`-${removed.units.join(' -')}`);
  if (c.charmRevision) parts.push(`charm r${c.charmRevision[0]}→r${c.charmRevision[1]}`);
  const config = c.config ?? {};
  for (const [k, v] of Object.entries(config.added ?? {})) parts.push(`${k}=${text(v)}`);
  for (const [k, [a, b]] of Object.entries(config.changed ?? {}))
    parts.push(`${k} ${text(a)}→${text(b)}`);
  for (const k of Object.keys(config.removed ?? {})) parts.push(`${k} reset`);
  for (const [name, [a, b]] of Object.entries(c.resources ?? {}))
    parts.push(`resource ${name} ${a === null ? '' : `r${a}→`}r${b}`);
  return parts;
}

/** One line for the history table: each application's changes, then relations once each. */
export function summarize(changes: readonly ApplicationChange[]): string {
  const parts = changes.flatMap((c) => {
    const own = applicationSummary(c);
    return own.length > 0 ? [`${c.application}: ${own.join(', ')}`] : [];
  });
  const related = new Set(changes.flatMap((c) => c.added?.relations ?? []));
  const unrelated = new Set(changes.flatMap((c) => c.removed?.relations ?? []));
  // A deploy adds many at once: counted rather than listed, so the line stays readable.
  const relations = (sign: string, set: Set<string>) =>
    set.size > 2 ? [`${sign}${set.size} relations`] : [...set].map((r) => `${sign}relation ${r}`);
  return [...parts, ...relations('+', related), ...relations('-', unrelated)].join('; ');
}

// export-bundle and diff-bundle behind the API (issue 14): the live model read from the store
// as a ModelView, each option checked against its charm's default and against redact()'s rules.
// Only applications, units, machines and relations are read: never databags, leader settings,
// charm state or resources, so none of them can reach an export.
import { basename, dirname, relative, resolve } from 'node:path';
import { exportBundle, bundleYaml, type ModelView } from '../bundle/export.js';
import { diffShapes, formatBundleDiff, modelShape, resolvedShape } from '../bundle/diff.js';
import type { CharmRepository } from '../charm/repository.js';
import type { Charm } from '../charm/types.js';
import { isSecretSetting } from '../model/redact.js';
import type { ConfigValue, ConfigValues } from '../model/types.js';
import type { ApplicationRecord, Store } from '../store/types.js';
import { formatDiagnostic } from '../yaml/diagnostic.js';
import { loadBundle } from './bundle-files.js';
import { own } from '../model/own.js';

const isSecret = (name: string, value: ConfigValue) => isSecretSetting(name, String(value));

function defaultsOf(charm: Charm): ConfigValues {
  const out: ConfigValues = {};
  for (const option of Object.values(charm.config.options)) {
    if (option.default !== undefined) out[option.name] = option.default;
  }
  return out;
}

/**
 * How an exported bundle names the charm: its name when it is one of charms/, else its folder,
 * relative to `relativeTo` (the output file's folder) when given, else absolute so the text
 * means the same wherever it is saved.
 */
export function exportedCharmRef(
  app: Pick<ApplicationRecord, 'charmDir'>,
  charms: CharmRepository,
  relativeTo?: string,
): string {
  const dir = resolve(app.charmDir);
  if (dirname(dir) === resolve(charms.root) && charms.known().includes(basename(dir))) {
    return basename(dir);
  }
  if (relativeTo === undefined) return dir;
  const path = relative(relativeTo, dir);
  if (path === '') return '.';
  return path.startsWith('..') ? path : `./${path}`;
}

export function modelView(
  store: Store,
  charms: CharmRepository,
  relativeTo?: string,
): { view: ModelView; omitted: string[] } {
  const omitted: string[] = [];
  const apps = store.applications().filter((a) => a.life === 'alive');
  const alive = new Set(apps.map((a) => a.name));
  const applications = apps.map((app) => {
    const charm = charms.load(app.charmDir, '/');
    const defaults = defaultsOf(charm);
    const options: ConfigValues = {};
    for (const [key, value] of Object.entries(app.config)) {
      if (isSecret(key, value)) omitted.push(`${app.name} option ${key}`);
      else if (own(defaults, key) !== value) options[key] = value;
    }
    return {
      name: app.name,
      charmName: app.charm,
      charmRef: exportedCharmRef(app, charms, relativeTo),
      subordinate: app.subordinate,
      options,
      defaults,
      constraints: app.constraints,
      exposed: app.exposed,
    };
  });
  const units = store
    .unitIndex()
    .filter((u) => u.life === 'alive' && u.principal === undefined && alive.has(u.application))
    .map((u) => ({ name: u.name, application: u.application, machine: u.machine }));
  const machines = store
    .machines()
    .filter((m) => m.life === 'alive')
    .map((m) => ({ id: m.id, constraints: m.constraints }));
  const relations = store
    .relations()
    .filter((r) => r.life === 'alive' && r.endpoints.every((e) => alive.has(e.application)))
    .map((r) => ({
      endpoints: r.endpoints.map((e) => ({ application: e.application, name: e.name })),
    }));
  return { view: { applications, units, machines, relations }, omitted };
}

const omissionWarning = (what: string) =>
  `left out ${what}: it holds a secret, and secrets are never exported`;

/** The live model as bundle YAML, with a warning for each secret left out. */
export function exportModel(
  store: Store,
  charms: CharmRepository,
  relativeTo?: string,
): { bundle: string; warnings: string[] } {
  const { view, omitted } = modelView(store, charms, relativeTo);
  return { bundle: bundleYaml(exportBundle(view)), warnings: omitted.map(omissionWarning) };
}

/** What the bundle (with overlays) has that the model lacks and the other way round. */
export function diffModel(
  store: Store,
  charms: CharmRepository,
  file: string,
  overlays: readonly string[],
): { diff: string; warnings: string[] } {
  const loaded = loadBundle(file, overlays, charms);
  const byName = new Map(loaded.bundle.applications.map((a) => [a.name, a]));
  const bundle = resolvedShape(
    loaded.bundle,
    (name) => {
      const app = byName.get(name);
      return app ? defaultsOf(charms.load(app.charmRef, dirname(file))) : {};
    },
    isSecret,
  );
  const { view } = modelView(store, charms);
  return {
    diff: formatBundleDiff(diffShapes(bundle, modelShape(view))),
    warnings: loaded.warnings.map(formatDiagnostic),
  };
}

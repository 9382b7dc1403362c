// Where each Kubernetes binary comes from (DESIGN §9): the distribution package, a snap, the
// official release archive (sha256-checked), an attached resource, in that order under
// `install-source=auto`; or the one source the operator named. What is installed is remembered in
// ctx.state, so a hook re-run does not download again; only an upgrade re-runs the source.
import { aptInstallOnce } from './apt.js';
import type { HookContext, JsonValue } from 'rune/charm';
import { CommandFailedError } from './errors.js';
import { aptAvailable } from './apt-probe.js';
import { LAST_LINE, excerpt } from './excerpt.js';
import { type SourceKind, parseInstallSource } from './install-source.js';
import {
  BIN_DIR,
  SNAPD_PROBE,
  fetchCommand,
  fetchOutcome,
  installFileCommand,
  mismatchMessage,
  snapCommand,
} from './sources.js';

export type { SourceKind } from './install-source.js';

export interface BinarySpec {
  /** The binary's name, its resource's name and its file name under /usr/local/bin. */
  name: string;
  snap?: { name: string; classic: boolean };
  /** A Debian package that ships it, and where. */
  deb?: { name: string; path: string };
  /** When the release archive is a tarball: the file to take out of it (default: name). */
  archiveMember?: string;
  /** The unit runs without it (kubectl on a worker): never named as missing. */
  optional?: boolean;
}

export interface SourceConfig {
  /** The application's name, for the commands that messages suggest. */
  app: string;
  /** Config `install-source`. */
  setting: string;
  /** The snap channel; empty means no snap. */
  channel: string;
  /** The config option naming the release archive, for messages. */
  archiveOption: string;
  /** The release archive's URL for one binary; undefined when the option is empty. */
  archiveUrl: (name: string) => string | undefined;
}

export interface InstalledBinary {
  source: SourceKind;
  path: string;
  /** What it came from: package name, snap channel, archive URL or resource path. */
  origin: string;
  /** Of the installed file, where the source says (archive, resource). */
  sha256?: string;
}

/** `due`: reinstall what the config no longer matches; `all`: the upgrade action. */
export type Reinstall = 'none' | 'due' | 'all';

export interface EnsureOptions {
  reinstall?: Reinstall;
  /** Copy attached resources again: `rune attach-resource` runs upgrade-charm with a new
   * revision at the same path, and only its bytes tell whether it changed. */
  refreshResources?: boolean;
}

export interface BinaryReport {
  /** Installed binaries: name → path to execute. */
  paths: Record<string, string>;
  /** Required binaries no source could provide, in spec order. */
  missing: string[];
  /** Why a source was refused (checksum mismatch, an unavailable explicit source). */
  refused: string[];
  /** Installed or replaced by this call: their services want a restart. */
  changed: string[];
  /** Installed from a channel or URL the config no longer names (with reinstall `none`). */
  upgradeDue: string[];
}

const STATE_KEY = 'binaries';

type Attempt =
  | { kind: 'installed'; record: InstalledBinary }
  | { kind: 'skipped'; why: string }
  | { kind: 'refused'; message: string };

/** Facts about the machine, asked at most once per hook and only when a source needs them. */
class Probe {
  private snapd: Promise<boolean> | undefined;
  private apt: Promise<Record<string, boolean>> | undefined;

  /** `debs`: every package the specs name, so that apt is asked about all of them at once. */
  constructor(
    private readonly ctx: HookContext,
    private readonly debs: readonly string[],
  ) {}

  snapdRunning(): Promise<boolean> {
    this.snapd ??= this.ctx.machine
      .run(SNAPD_PROBE)
      .then((r) => r.stdout.toString().trim() === 'running');
    return this.snapd;
  }

  async aptHas(pkg: string): Promise<boolean> {
    this.apt ??= aptAvailable(this.ctx, this.debs);
    return (await this.apt)[pkg] === true;
  }
}

export function readInstalled(ctx: HookContext): Record<string, InstalledBinary> {
  const stored = ctx.state.get(STATE_KEY);
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return {};
  return { ...(stored as unknown as Record<string, InstalledBinary>) };
}

function isDue(record: InstalledBinary, spec: BinarySpec, config: SourceConfig): boolean {
  if (config.setting !== 'auto' && config.setting !== record.source) return true;
  if (record.source === 'snap') return config.channel !== '' && config.channel !== record.origin;
  if (record.source === 'archive') {
    const url = config.archiveUrl(spec.name);
    return url !== undefined && url !== record.origin;
  }
  return false;
}

async function attempt(
  ctx: HookContext,
  probe: Probe,
  spec: BinarySpec,
  source: SourceKind,
  config: SourceConfig,
): Promise<Attempt> {
  const dest = `${BIN_DIR}/${spec.name}`;
  switch (source) {
    case 'package': {
      if (!spec.deb) return { kind: 'skipped', why: `Debian has no package with ${spec.name}` };
      if (!(await probe.aptHas(spec.deb.name))) {
        return { kind: 'skipped', why: `apt has no ${spec.deb.name} package here` };
      }
      // A package apt lists but cannot fetch is this source being unavailable, not the hook
      // failing.
      if (!(await aptInstallOnce(ctx, spec.deb.name)))
        return { kind: 'skipped', why: `apt-get could not install ${spec.deb.name} here` };
      return {
        kind: 'installed',
        record: { source, path: spec.deb.path, origin: spec.deb.name },
      };
    }
    case 'snap': {
      if (!spec.snap) return { kind: 'skipped', why: `${spec.name} has no snap` };
      if (config.channel === '') return { kind: 'skipped', why: 'config channel is empty' };
      if (!(await probe.snapdRunning())) return { kind: 'skipped', why: 'snapd is not running' };
      const r = await ctx.machine.run(
        snapCommand(spec.snap.name, config.channel, spec.snap.classic),
      );
      if (r.code !== 0) {
        const detail = excerpt(r.stderr.toString(), { line: LAST_LINE });
        return { kind: 'skipped', why: `snap install ${spec.snap.name} failed: ${detail}` };
      }
      const path = `/snap/bin/${spec.snap.name}`;
      return { kind: 'installed', record: { source, path, origin: config.channel } };
    }
    case 'archive': {
      const url = config.archiveUrl(spec.name);
      if (url === undefined) return { kind: 'skipped', why: `${config.archiveOption} is not set` };
      // A tarball's binary is taken out of it; any other URL is the binary itself.
      const tarball = /\.(?:tar\.gz|tgz)$/.test(url);
      const member = tarball ? (spec.archiveMember ?? spec.name) : '';
      const r = await ctx.machine.run(fetchCommand(url, dest, member));
      const out = fetchOutcome(r.code, r.stdout.toString(), r.stderr.toString());
      switch (out.kind) {
        case 'installed':
          return {
            kind: 'installed',
            record: { source, path: dest, origin: url, sha256: out.sha256 },
          };
        case 'unreachable':
          return { kind: 'skipped', why: `${url} cannot be downloaded: ${out.detail}` };
        case 'mismatch':
          return {
            kind: 'refused',
            message: mismatchMessage(spec.name, url, out.published, out.downloaded),
          };
        case 'bad-archive':
          return { kind: 'refused', message: `Refusing ${spec.name} from ${url}: ${out.detail}` };
        case 'failed':
          throw new CommandFailedError(`installing ${spec.name} from ${url}`, out.code, out.detail);
      }
      break;
    }
    case 'resource': {
      const attached = await ctx.resource(spec.name);
      if (attached === undefined) return { kind: 'skipped', why: 'no resource is attached' };
      const r = await ctx.machine.run(installFileCommand(attached, dest));
      if (r.code !== 0) {
        throw new CommandFailedError(
          `installing resource ${spec.name}`,
          r.code,
          r.stderr.toString(),
        );
      }
      const sha256 = r.stdout.toString().split(/\s/)[0] ?? '';
      const record: InstalledBinary = { source, path: dest, origin: attached };
      if (sha256 !== '') record.sha256 = sha256;
      return { kind: 'installed', record };
    }
  }
  return { kind: 'skipped', why: 'unknown source' };
}

/**
 * Installs what is not installed yet (and, per `reinstall`, what is due), records it in
 * ctx.state and says what is still missing. Never pretends: a binary is in `paths` only once a
 * source put it on the machine.
 */
export async function ensureBinaries(
  ctx: HookContext,
  specs: readonly BinarySpec[],
  config: SourceConfig,
  options: EnsureOptions = {},
): Promise<BinaryReport> {
  const reinstall = options.reinstall ?? 'none';
  const report: BinaryReport = { paths: {}, missing: [], refused: [], changed: [], upgradeDue: [] };
  const setting = config.setting.trim();
  const parsed = parseInstallSource(setting);
  if ('problem' in parsed) {
    report.refused.push(parsed.problem);
    return report;
  }
  const order = parsed.sources;
  const installed = readInstalled(ctx);
  const debs = specs.flatMap((spec) => (spec.deb ? [spec.deb.name] : []));
  const probe = new Probe(ctx, [...new Set(debs)]);
  for (const spec of specs) {
    const record = installed[spec.name];
    let sources = order;
    if (record !== undefined) {
      const due = isDue(record, spec, { ...config, setting });
      const refresh = options.refreshResources === true && record.source === 'resource';
      const again = reinstall === 'all' || (reinstall === 'due' && due) || refresh;
      if (!again) {
        report.paths[spec.name] = record.path;
        if (due) report.upgradeDue.push(spec.name);
        continue;
      }
      if (refresh && reinstall !== 'all') sources = ['resource'];
    }
    let done: Attempt | undefined;
    for (const source of sources) {
      done = await attempt(ctx, probe, spec, source, config);
      if (done.kind !== 'skipped') break;
    }
    if (done?.kind === 'installed') {
      installed[spec.name] = done.record;
      report.paths[spec.name] = done.record.path;
      // The same bytes again (a resource re-copied) is no change: nothing restarts.
      const same = record?.sha256 !== undefined && record.sha256 === done.record.sha256;
      if (!same) report.changed.push(spec.name);
    } else if (done?.kind === 'refused') {
      report.refused.push(done.message);
    } else if (record !== undefined) {
      // An upgrade that found no source keeps what runs now.
      report.paths[spec.name] = record.path;
    } else if (setting !== 'auto' && setting !== 'resource' && done?.kind === 'skipped') {
      if (!spec.optional) report.refused.push(`install-source=${setting} but ${done.why}`);
    } else if (!spec.optional) {
      report.missing.push(spec.name);
    }
  }
  if (JSON.stringify(installed) !== JSON.stringify(readInstalled(ctx))) {
    ctx.state.set(STATE_KEY, installed as unknown as Record<string, JsonValue>);
  }
  return report;
}

/** Names every binary to attach, in a stable order, as one command the operator can run. */
export function missingMessage(app: string, names: readonly string[]): string {
  const pairs = names.map((name) => `${name}=./${name}`).join(' ');
  return `Missing ${names.join(', ')}: rune attach-resource ${app} ${pairs}`;
}

/** The blocked status a report calls for, or undefined when every required binary is there. */
export function binariesBlocked(app: string, report: BinaryReport): string | undefined {
  const parts = [...new Set(report.refused)];
  if (report.missing.length > 0) parts.push(missingMessage(app, report.missing));
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/**
 * ensureBinaries with the options the Kubernetes charms share: `install-source`, `channel` and a
 * `release-url` folder holding each binary under its own name (and `<name>.sha256`).
 */
export function ensureReleaseBinaries(
  ctx: HookContext,
  specs: readonly BinarySpec[],
  reinstall: Reinstall,
): Promise<BinaryReport> {
  const option = (key: string): string => String(ctx.config[key] ?? '').trim();
  const base = option('release-url').replace(/\/+$/, '');
  return ensureBinaries(
    ctx,
    specs,
    {
      app: ctx.app,
      setting: option('install-source') || 'auto',
      channel: option('channel'),
      archiveOption: 'release-url',
      archiveUrl: (name) => (base === '' ? undefined : `${base}/${name}`),
    },
    // attach-resource runs upgrade-charm: a new revision of a resource is installed at once.
    { reinstall, refreshResources: ctx.hookName === 'upgrade-charm' },
  );
}

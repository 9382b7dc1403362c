// This unit's facts as one value (names, URLs, paths, config) and the typed hook context every
// part of the etcd charm's wiring shares.
import type { HookContext } from 'rune/charm';
import { STATE } from './keys.js';
import { httpsUrl } from './workload/cluster.js';
import { type Layout, type TlsPaths, dataDir, memberName, tlsPaths } from './workload/paths.js';
import { ETCD_CONFIG_DEFAULTS, type EtcdConfig } from './workload/validate.js';

export type Config = { [K in keyof EtcdConfig]: EtcdConfig[K] };
export type Ctx = HookContext<Config>;

export interface Env {
  unit: string;
  /** The etcd member name, `etcd-0`. */
  name: string;
  address: string;
  clientUrl: string;
  peerUrl: string;
  config: EtcdConfig;
  /** Debian's name for the machine's architecture; empty when not known. */
  arch: string;
  layout: Layout;
  tls: TlsPaths;
  dataDir: string;
}

export function fullConfig(ctx: Ctx): EtcdConfig {
  return { ...ETCD_CONFIG_DEFAULTS, ...ctx.config };
}

export function makeEnv(ctx: Ctx, layout: Layout): Env {
  const arch = ctx.state.get<{ arch?: string }>(STATE.installed)?.arch ?? '';
  return envOf(ctx.unit, ctx.address, fullConfig(ctx), layout, arch);
}

/** This unit's facts from plain values (tests build the commands a unit runs with it). */
export function envOf(
  unit: string,
  address: string,
  config: EtcdConfig,
  layout: Layout,
  arch = '',
): Env {
  const name = memberName(unit);
  return {
    unit,
    arch,
    name,
    address,
    clientUrl: httpsUrl(address, config.port),
    peerUrl: httpsUrl(address, config.management_port),
    config,
    layout,
    tls: tlsPaths(layout.tlsDir),
    dataDir: dataDir(name, layout.dataRoot),
  };
}

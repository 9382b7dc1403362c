// Reading what related applications published, shared by the Kubernetes charms: etcd's client
// credentials, the certificate authority's answer, and the CNI subordinate's network. Each
// reader tolerates units that have not written yet and takes the first complete answer.
import type { HookContext, ReadBag, RelationView } from 'rune/charm';
import {
  type CniConfig,
  type EtcdConnection,
  type IssuedCert,
  caRotation,
  etcd,
  kubernetesCni,
  tlsCertificates,
} from 'rune/interfaces';

/** Remote unit bags in unit order, then the remote application's bag (easyrsa writes both). */
function remoteBags(rel: RelationView): Record<string, string>[] {
  const bags: ReadBag[] = rel.units.map((unit) => rel.remote(unit));
  bags.push(rel.remoteApp());
  return bags.map((bag) => bag.view());
}

function first<T>(ctx: HookContext, endpoint: string, read: (bag: Record<string, string>) => T) {
  for (const rel of ctx.relations(endpoint)) {
    for (const bag of remoteBags(rel)) {
      const found = read(bag);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

export function etcdConnection(ctx: HookContext, endpoint = 'etcd'): EtcdConnection | undefined {
  return first(ctx, endpoint, (bag) => etcd.requirer.connection(bag));
}

export interface Certificates {
  ca: string;
  server: IssuedCert;
  /** The shared client certificate 1.21 authorities hand out, when this one does. */
  client?: IssuedCert;
  /** The CA rotation step these belong to (core/interfaces/ca-rotation.ts), read from the same
   * bag: the step a unit echoes must be the one of the files it wrote. */
  rotation?: string;
}

/** The CA and this unit's server certificate, once the authority issued it. */
export function issuedCertificates(
  ctx: HookContext,
  endpoint = 'certificates',
): Certificates | undefined {
  return first(ctx, endpoint, (bag) => {
    const ca = tlsCertificates.requirer.ca(bag);
    const server = tlsCertificates.requirer.serverCert(bag, ctx.unit);
    if (ca === undefined || server === undefined) return undefined;
    const client = tlsCertificates.requirer.clientCert(bag);
    const rotation = caRotation.asked(bag);
    return {
      ca,
      server,
      ...(client === undefined ? {} : { client }),
      ...(rotation === undefined ? {} : { rotation }),
    };
  });
}

/** Asks every related authority for this unit's server certificate. */
export function requestServerCert(
  ctx: HookContext,
  commonName: string,
  sans: readonly string[],
  endpoint = 'certificates',
): void {
  for (const rel of ctx.relations(endpoint)) {
    const writes = tlsCertificates.requirer.request(rel.local.toObject(), { commonName, sans });
    for (const [key, value] of Object.entries(writes)) rel.local.set(key, value);
  }
}

/**
 * The CNI subordinate's network. With several CNIs, `preferred` (config default-cni) names the
 * application to use; otherwise the first by name, so every unit picks the same one.
 */
export function cniConfig(ctx: HookContext, preferred = ''): CniConfig | undefined {
  const rels = [...ctx.relations('cni')].sort((a, b) =>
    a.remoteAppName < b.remoteAppName ? -1 : a.remoteAppName > b.remoteAppName ? 1 : 0,
  );
  const chosen = rels.filter((rel) => preferred === '' || rel.remoteAppName === preferred);
  for (const rel of chosen) {
    for (const unit of rel.units) {
      const found = kubernetesCni.provider.config(rel.remote(unit).view());
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Tells the provider on every `endpoint` relation which CA rotation step this unit applied
 * (undefined: none was asked). Call it only once the unit runs with what the step sent, or,
 * when no service runs, once the files a service would read are written
 * (core/interfaces/ca-rotation.ts): the provider's next step counts on it.
 */
export function echoRotation(ctx: HookContext, endpoint: string, step: string | undefined) {
  for (const rel of ctx.relations(endpoint)) {
    const writes = caRotation.echo(rel.local.toObject(), step);
    for (const [key, value] of Object.entries(writes)) rel.local.set(key, value);
  }
}

/** Tells every CNI subordinate where the principal's kubeconfig is. */
export function publishCniPrincipal(ctx: HookContext, isMaster: boolean, kubeconfigPath: string) {
  for (const rel of ctx.relations('cni')) {
    const writes = kubernetesCni.provider.publish(rel.local.toObject(), {
      isMaster,
      kubeconfigPath,
    });
    for (const [key, value] of Object.entries(writes)) rel.local.set(key, value);
  }
}

// The certificates relation (tls-certificates requirer): ask for this unit's server certificate,
// read what the CA sent (CA, server cert for this unit, the shared client cert), write it out.
import { createHash } from 'node:crypto';
import { caRotation, tlsCertificates } from 'rune/interfaces';
import { put } from './bags.js';
import type { Ctx } from './env.js';
import { STATE } from './keys.js';
import type { TlsPaths } from './workload/paths.js';

type FileWrite = Parameters<Ctx['machine']['writeFiles']>[0][number];

export interface Certificates {
  ca: string;
  serverCert: string;
  serverKey: string;
  /**
   * easyrsa's one client certificate, shared by every client of the CA (as 1.21 did). The member
   * needs none of it (its own certificate is its identity to etcdctl too), so it starts without;
   * clients on `db` are told of the cluster once it is here.
   */
  client?: { cert: string; key: string };
  /** The CA rotation step the provider asks to apply (easyrsa's `ca_rotation`), echoed back as
   * `ca_rotation_applied` once this member runs with these files (restart-turns.ts). */
  rotation?: string;
}

export type CertificatesState =
  | { kind: 'missing-relation' }
  | { kind: 'waiting'; missing: string[] }
  | { kind: 'ready'; certs: Certificates };

/**
 * Requests the server certificate (every hook: the writes are only what changed) and reads the
 * answer. The one certificate serves clients and peers, so its SANs cover every name a client or
 * a peer may dial: the address (also the CN), the hostname and the loopback names.
 */
export function certificates(ctx: Ctx, hostname: string): CertificatesState {
  const rel = ctx.relations('certificates')[0];
  if (rel === undefined) return { kind: 'missing-relation' };
  const sans = [ctx.address, hostname, '127.0.0.1', 'localhost'].filter((s) => s !== '');
  const writes = tlsCertificates.requirer.request(rel.local.toObject(), {
    commonName: ctx.address,
    sans,
  });
  for (const [key, value] of Object.entries(writes)) put(rel.local, key, value);

  // The provider may answer in any of its units' bags or in its application bag.
  const bags = [...rel.units.map((u) => rel.remote(u).view()), rel.remoteApp().view()];
  const find = <T>(read: (bag: Record<string, string>) => T | undefined): T | undefined => {
    for (const bag of bags) {
      const found = read(bag);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const ca = find((b) => tlsCertificates.requirer.ca(b));
  const server = find((b) => tlsCertificates.requirer.serverCert(b, ctx.unit));
  const client = find((b) => tlsCertificates.requirer.clientCert(b));
  const rotation = find((b) => caRotation.asked(b));
  if (ca === undefined || server === undefined) {
    const missing = [
      ...(ca === undefined ? ['CA'] : []),
      ...(server === undefined ? ['server certificate'] : []),
    ];
    return { kind: 'waiting', missing };
  }
  return {
    kind: 'ready',
    certs: {
      ca,
      serverCert: server.cert,
      serverKey: server.key,
      ...(client === undefined ? {} : { client: { cert: client.cert, key: client.key } }),
      ...(rotation === undefined ? {} : { rotation }),
    },
  };
}

const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

export function serverDigest(paths: TlsPaths, certs: Certificates): string {
  return digest([paths, certs.ca, certs.serverCert, certs.serverKey]);
}

/** When the member's own files (CA, certificate, key) differ from what this unit last wrote:
 * a short name for the new ones (for a restart turn); else undefined. */
export function serverFilesChanged(
  ctx: Ctx,
  paths: TlsPaths,
  certs: Certificates,
): string | undefined {
  const digest = serverDigest(paths, certs);
  return ctx.state.get(STATE.tlsDigest) === digest ? undefined : digest.slice(0, 16);
}

/**
 * Writes the TLS files that differ from what this unit last wrote (digests in ctx.state; nothing
 * secret is kept there), in one round trip. With `verify` (hooks that look at the machine again)
 * every file goes, written only where the machine's copy differs: a file deleted or edited by
 * hand is put back, which the digest alone never notices. Resolves to whether the member's own
 * files (CA, certificate, key) changed, which means a restart; a file put back as it was does
 * not (etcd reads its certificate at each handshake), nor does the shared client certificate,
 * which is only handed on.
 */
export async function writeCertificates(
  ctx: Ctx,
  paths: TlsPaths,
  certs: Certificates,
  /** verify: send every file, written only where the machine's copy differs (a file deleted by
   * hand is put back). holdServer: leave the member's own files as they are, it may not
   * restart yet (restart-turns.ts). */
  options: { verify?: boolean; holdServer?: boolean } = {},
): Promise<boolean> {
  const server = serverDigest(paths, certs);
  const client = certs.client && digest([paths, certs.client]);
  const holdServer = options.holdServer === true;
  const serverChanged = !holdServer && ctx.state.get(STATE.tlsDigest) !== server;
  const clientChanged = client !== undefined && ctx.state.get(STATE.clientDigest) !== client;
  const verify = options.verify === true;
  const send = (changed: boolean, files: FileWrite[]): FileWrite[] =>
    changed ? files : verify ? files.map((f) => ({ ...f, onlyIfChanged: true })) : [];
  const files = [
    // Held files are not even verified: the machine's copy is the one the member runs with.
    ...(holdServer
      ? []
      : send(serverChanged, [
          { path: paths.ca, data: certs.ca, mode: 0o644 },
          { path: paths.serverCert, data: certs.serverCert, mode: 0o644 },
          { path: paths.serverKey, data: certs.serverKey, mode: 0o600 },
        ])),
    ...(certs.client
      ? send(clientChanged, [
          { path: paths.clientCert, data: certs.client.cert, mode: 0o644 },
          { path: paths.clientKey, data: certs.client.key, mode: 0o600 },
        ])
      : []),
  ];
  // One round trip: on the leader this is on the path to the cluster's first start.
  const written = await ctx.machine.writeFiles(files);
  const restored = files.filter((f, i) => f.onlyIfChanged === true && written[i] === true);
  if (restored.length > 0) {
    ctx.log.warn(
      `put back TLS files missing or changed on the machine: ${restored.map((f) => f.path).join(', ')}`,
    );
  }
  if (serverChanged) ctx.state.set(STATE.tlsDigest, server);
  if (clientChanged) ctx.state.set(STATE.clientDigest, client);
  return serverChanged;
}

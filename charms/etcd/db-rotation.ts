// The CA rotation seen from etcd's `db` clients (kube-apiserver, flanneld): etcd hands them the
// CA bundle and the shared client certificate easyrsa sent it, with easyrsa's step token, and
// they echo the step once they use them (core/interfaces/ca-rotation.ts). A member echoes a
// step to easyrsa only once every client has too (restart-turns.ts endRestartTurn): easyrsa's
// next step reissues that client certificate and then drops the old CA, which must not happen
// while a client still trusts or presents the last one. One chain, no new party: easyrsa waits
// for etcd as it already did, and etcd for its own clients (docs/ca-rotation.md).
import { NO_ROTATION, caRotation } from 'rune/interfaces';
import type { Ctx } from './env.js';

/** The `db` client units that echo the protocol and have not applied `step` (this member's
 * step from easyrsa; undefined outside a rotation, when clients echo `none`). */
export function dbClientsBehind(ctx: Ctx, step: string | undefined): string[] {
  const want = step ?? NO_ROTATION;
  return ctx.relations('db').flatMap((rel) =>
    caRotation.behind(
      rel.units.map((unit) => [unit, rel.remote(unit).view()] as const),
      want,
    ),
  );
}

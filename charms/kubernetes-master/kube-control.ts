// The master's side of kube-control and kube-api-endpoint: which workers ask for credentials,
// and what every master unit tells them (DNS, API endpoints, the credentials the leader minted).
import type { HookContext, WriteBag } from 'rune/charm';
import { type KubeCreds, http, kubeControl } from 'rune/interfaces';
import type { NodeRequest, Secrets } from './secrets.js';

export interface WorkerRequest extends NodeRequest {
  /** The worker unit that asked: the `scope` of its credentials. */
  unit: string;
  relationId: number;
}

/** Each worker bag's request, by the bag as stored (frozen, replaced when the worker writes):
 * every master hook reads all 1,000 workers' requests, and they rarely change. */
const requestOf = new WeakMap<object, WorkerRequest | null>();

export function workerRequests(ctx: HookContext): WorkerRequest[] {
  const out: WorkerRequest[] = [];
  for (const rel of ctx.relations('kube-control')) {
    for (const unit of rel.units) {
      const bag = rel.remote(unit).view();
      let req = requestOf.get(bag);
      if (req === undefined || (req !== null && (req.unit !== unit || req.relationId !== rel.id))) {
        req = requestIn(bag, unit, rel.id) ?? null;
        requestOf.set(bag, req);
      }
      if (req !== null) out.push(req);
    }
  }
  return out;
}

function requestIn(
  bag: Readonly<Record<string, string>>,
  unit: string,
  relationId: number,
): WorkerRequest | undefined {
  const user = bag['kubelet_user'];
  if (user === undefined) return undefined;
  const group = bag['auth_group'];
  const req = kubeControl.provider.authRequest(
    group === undefined ? { kubelet_user: user } : { kubelet_user: user, auth_group: group },
  );
  return req && Object.freeze({ ...req, unit, relationId });
}

function setAll(bag: WriteBag, writes: Record<string, string>): void {
  for (const [key, value] of Object.entries(writes)) bag.set(key, value);
}

export interface Publication {
  address: string;
  port: number;
  dnsDomain: string;
  dnsIp: string;
  secrets?: Secrets;
}

/** Every master unit publishes the same data, so a worker may read any of them. `requests` is
 * workerRequests(ctx), read once by the caller. */
export function publishToWorkers(
  ctx: HookContext,
  pub: Publication,
  requests: readonly WorkerRequest[],
): void {
  for (const rel of ctx.relations('kube-api-endpoint')) {
    setAll(
      rel.local,
      http.provider.publish(rel.local.toObject(), { hostname: pub.address, port: pub.port }),
    );
  }
  for (const rel of ctx.relations('kube-control')) {
    // One copy of the bag for the three: they write disjoint keys (DNS, cluster, creds), and the
    // creds alone are a key per worker.
    const before = rel.local.toObject();
    const writes = kubeControl.provider.publishDns(before, {
      port: 53,
      domain: pub.dnsDomain,
      sdnIp: pub.dnsIp,
    });
    if (pub.secrets !== undefined) {
      Object.assign(
        writes,
        kubeControl.provider.publishCluster(before, {
          clusterTag: pub.secrets.clusterTag,
          apiEndpoints: [`https://${pub.address}:${pub.port}`],
        }),
        kubeControl.provider.publishCreds(before, credsFor(rel.id, requests, pub.secrets)),
      );
    }
    setAll(rel.local, writes);
  }
}

/** The credentials of each worker of one relation that asked, by kubelet user. */
function credsFor(
  relationId: number,
  requests: readonly WorkerRequest[],
  secrets: Secrets,
): Record<string, KubeCreds> {
  const creds: Record<string, KubeCreds> = {};
  for (const req of requests) {
    if (req.relationId !== relationId) continue;
    const kubelet = secrets.kubelets[req.user];
    // A follower may see a request before the leader has minted its token: next time.
    if (kubelet === undefined) continue;
    creds[req.user] = {
      kubeletToken: kubelet.token,
      proxyToken: secrets.proxyToken,
      clientToken: secrets.adminToken,
      scope: req.unit,
    };
  }
  return creds;
}

// An etcd3 client for the store cluster's tests: every try gets a short deadline and no endpoint
// is shut off by etcd3's circuit breaker; with `failover` a failed try goes to the next endpoint
// (as the controller's client would), without it a refused client fails at once.
import { handleWhen, noop, retry } from 'cockatiel';
import { Etcd3, isRecoverableError } from 'etcd3';

export interface ClientCredentials {
  ca: string;
  cert?: string;
  key?: string;
}

export function etcdClient(
  endpoints: readonly string[],
  tls: ClientCredentials,
  options: { failover?: boolean } = {},
): Etcd3 {
  return new Etcd3({
    hosts: [...endpoints],
    credentials: {
      rootCertificate: Buffer.from(tls.ca),
      ...(tls.cert !== undefined && { certChain: Buffer.from(tls.cert) }),
      ...(tls.key !== undefined && { privateKey: Buffer.from(tls.key) }),
    },
    dialTimeout: 2_000,
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + 1_000 }),
    faultHandling: {
      host: () => noop,
      global: options.failover
        ? retry(handleWhen(isRecoverableError), { maxAttempts: endpoints.length })
        : noop,
    },
  });
}

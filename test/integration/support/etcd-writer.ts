// A client of a real etcd cluster as an application would run one: the etcd3 library over every
// endpoint, failing over between them as Kubernetes' own client (Go's clientv3) does, writing a
// key and reading it back every 100 ms. What it records is what that application would have noticed during a
// change: operations that failed, and the longest time between two successful writes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { handleWhen, noop, retry } from 'cockatiel';
import { Etcd3, isRecoverableError } from 'etcd3';

export interface WriterReport {
  /** Write-then-read rounds attempted. */
  rounds: number;
  /** Rounds whose write failed, timed out, or read back something else. */
  failed: number;
  /** The longest time between two successful writes (from start to the first, too). */
  longestGapMs: number;
  /** When the longest gap ended (to set it beside the hook log). */
  longestGapEnded?: string;
  /** The first few failures, as the client reported them. */
  errors: string[];
}

export interface EtcdWriter {
  /** Stops after the round under way and reports. */
  stop(): Promise<WriterReport>;
}

/** Starts writing through `endpoints` with the client certificate in `certDir` (ca.crt,
 * client.crt, client.key), one round every `intervalMs`; each try of a call is given `attemptMs`. */
export function startEtcdWriter(options: {
  endpoints: readonly string[];
  certDir: string;
  key?: string;
  intervalMs?: number;
  attemptMs?: number;
}): EtcdWriter {
  const { endpoints, certDir } = options;
  const key = options.key ?? 'rune/writer';
  const intervalMs = options.intervalMs ?? 100;
  const attemptMs = options.attemptMs ?? 500;
  const client = new Etcd3({
    hosts: [...endpoints],
    credentials: {
      rootCertificate: readFileSync(join(certDir, 'ca.crt')),
      certChain: readFileSync(join(certDir, 'client.crt')),
      privateKey: readFileSync(join(certDir, 'client.key')),
    },
    // Go's clientv3 (Kubernetes' client) sends a request only to an endpoint whose connection is
    // ready; etcd3 keeps one channel per endpoint and waits on whichever it picked, and a member
    // that is starting accepts the connection but answers only once it has joined. Each try is
    // therefore given attemptMs and then retried on another endpoint, up to three tries.
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + attemptMs }),
    // etcd3's default also opens a per-endpoint circuit breaker for 5 s after three failures,
    // which no Go client has: three members restarted one after another within 5 s would then
    // look like an outage of the cluster when it is only the client refusing to try.
    faultHandling: {
      host: () => noop,
      global: retry(handleWhen(isRecoverableError), { maxAttempts: 3 }),
    },
  });
  const report: WriterReport = { rounds: 0, failed: 0, longestGapMs: 0, errors: [] };
  let lastSuccess = Date.now();
  let stopping = false;

  async function round(n: number): Promise<void> {
    const value = `${n}`;
    try {
      await client.put(key).value(value);
      const read = await client.get(key).string();
      if (read !== value) throw new Error(`read back "${read}" after writing "${value}"`);
      const now = Date.now();
      if (now - lastSuccess > report.longestGapMs) {
        report.longestGapMs = now - lastSuccess;
        report.longestGapEnded = new Date(now).toISOString();
      }
      lastSuccess = now;
    } catch (error) {
      report.failed++;
      if (report.errors.length < 5) report.errors.push((error as Error).message);
    }
  }

  const loop = (async () => {
    for (let n = 1; !stopping; n++) {
      const started = Date.now();
      report.rounds++;
      await round(n);
      const wait = intervalMs - (Date.now() - started);
      if (wait > 0 && !stopping) await new Promise((r) => setTimeout(r, wait));
    }
  })();

  return {
    async stop() {
      stopping = true;
      await loop;
      // The time since the last success counts as a gap too: a cluster that stopped answering
      // at the end must not look healthy.
      report.longestGapMs = Math.max(report.longestGapMs, Date.now() - lastSuccess);
      client.close();
      return report;
    },
  };
}

// The replicated store's log, called synchronously: each call waits on a worker thread
// (etcd-log-worker.ts) that holds the etcd connection, so a store write returns only once its
// entry is in etcd, as a SQLite write returns once it is on disk.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSyncFn } from 'synckit';
import type { AppendResult, EtcdConnection, Fence, LogEntryText } from './etcd-log.js';
import { StoreUnreachableError } from './errors.js';

export type LogRequest = { connection: EtcdConnection; prefix: string } & (
  | { op: 'head' }
  | { op: 'append'; after: number; text: string; fence?: Fence }
  | { op: 'after'; seq: number; limit: number }
  | { op: 'put'; key: string; text: string }
  | { op: 'get'; key: string }
  | { op: 'dropBefore'; seq: number }
);

/** Longer than etcd3's own deadline and retries: it answers first, with its reason. */
const CALL_TIMEOUT_MS = 30_000;

/** Workers run compiled JavaScript: from the sources (the tests), the build's copy. */
function workerFile(): string {
  const compiled = fileURLToPath(new URL('./etcd-log-worker.js', import.meta.url));
  if (existsSync(compiled)) return compiled;
  return fileURLToPath(new URL('../../dist/core/store/etcd-log-worker.js', import.meta.url));
}

let call: ((request: LogRequest) => unknown) | undefined;

function send<T>(request: LogRequest): T {
  call ??= createSyncFn(workerFile(), { timeout: CALL_TIMEOUT_MS });
  try {
    return call(request) as T;
  } catch (e) {
    throw new StoreUnreachableError(request.connection.endpoints, e);
  }
}

/** The log of one controller's store, under `prefix`, with every call synchronous. */
export class SyncEtcdLog {
  constructor(
    private readonly connection: EtcdConnection,
    readonly prefix: string,
  ) {}

  head(): number {
    return send({ connection: this.connection, prefix: this.prefix, op: 'head' });
  }

  append(after: number, text: string, fence?: Fence): AppendResult {
    return send({
      connection: this.connection,
      prefix: this.prefix,
      op: 'append',
      after,
      text,
      ...(fence && { fence }),
    });
  }

  put(key: string, text: string): void {
    send({ connection: this.connection, prefix: this.prefix, op: 'put', key, text });
  }

  get(key: string): string | null {
    return send({ connection: this.connection, prefix: this.prefix, op: 'get', key });
  }

  dropBefore(seq: number): void {
    send({ connection: this.connection, prefix: this.prefix, op: 'dropBefore', seq });
  }

  after(seq: number, limit: number): LogEntryText[] {
    return send({ connection: this.connection, prefix: this.prefix, op: 'after', seq, limit });
  }
}

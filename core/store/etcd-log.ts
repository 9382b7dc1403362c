// The replicated store's log in etcd (DESIGN §3, HA): numbered entries under one controller's
// prefix, appended only by a transaction that finds the head where the writer left it (and, for
// an elected member, its election key still its own), so two writers can never both append.
import { Etcd3, Range } from 'etcd3';

/** How to reach the store's etcd cluster: client URLs and, for TLS, PEM file contents. */
export interface EtcdConnection {
  endpoints: string[];
  tls?: { ca: string; cert: string; key: string };
}

/** What makes this writer's appends valid: the election key it holds, as created. */
export interface Fence {
  key: string;
  createRevision: string;
}

export type AppendResult =
  | { ok: true }
  /** Another writer moved the head, or the fence's key is no longer this writer's. */
  | { ok: false; head: number; fenced: boolean };

/** An entry's number and its stored (sealed) text. */
export type LogEntryText = [seq: number, text: string];

/** Sequence numbers are zero-padded so that key order is number order. */
const SEQ_WIDTH = 12;
const seqKey = (prefix: string, seq: number) =>
  `${prefix}log/${String(seq).padStart(SEQ_WIDTH, '0')}`;

/** One connection per process and cluster, however many stores share it. */
export function connect(connection: EtcdConnection): Etcd3 {
  return new Etcd3({
    hosts: connection.endpoints,
    ...(connection.tls && {
      credentials: {
        rootCertificate: Buffer.from(connection.tls.ca),
        certChain: Buffer.from(connection.tls.cert),
        privateKey: Buffer.from(connection.tls.key),
      },
    }),
    // The members' certificates name them `rune-store` (agents/controller-store/pki.ts): checked
    // instead of the URL's IP, which TLS may not carry as a server name.
    ...(connection.tls && {
      grpcOptions: {
        'grpc.ssl_target_name_override': 'rune-store',
        'grpc.default_authority': 'rune-store',
      },
    }),
    dialTimeout: 3_000,
    // A store call that cannot finish is an error the controller sees, not a hang.
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + 5_000 }),
  });
}

export class EtcdLog {
  constructor(
    private readonly client: Etcd3,
    /** `/rune/<controller uuid>/store/`: the log's keys sit under it. */
    readonly prefix: string,
  ) {}

  /** The number of the last entry, 0 for an empty log. */
  async head(): Promise<number> {
    const value = await this.client.get(`${this.prefix}head`).string();
    return value === null ? 0 : Number(value);
  }

  /** Appends `text` as entry `after + 1`, if `after` is still the head (and the fence holds). */
  async append(after: number, text: string, fence?: Fence): Promise<AppendResult> {
    const head = `${this.prefix}head`;
    let txn =
      after === 0
        ? this.client.if(head, 'Version', '==', 0)
        : this.client.if(head, 'Value', '==', String(after));
    if (fence) txn = txn.and(fence.key, 'Create', '==', fence.createRevision);
    const result = await txn
      .then(
        this.client.put(seqKey(this.prefix, after + 1)).value(text),
        this.client.put(head).value(String(after + 1)),
      )
      .commit();
    if (result.succeeded) return { ok: true };
    const now = await this.head();
    // etcd3 retries a call whose answer was lost: the first try may be the one that landed.
    if (now === after + 1 && (await this.client.get(seqKey(this.prefix, now)).string()) === text)
      return { ok: true };
    const fenced = fence !== undefined && !(await this.holds(fence));
    return { ok: false, head: now, fenced };
  }

  /** Up to `limit` entries after `seq`, in order. */
  async after(seq: number, limit: number): Promise<LogEntryText[]> {
    const range = new Range(seqKey(this.prefix, seq + 1), `${this.prefix}log0`);
    const found = await this.client
      .getAll()
      .inRange(range)
      .sort('Key', 'Ascend')
      .limit(limit)
      .strings();
    return Object.entries(found).map(([key, text]) => [Number(key.slice(-SEQ_WIDTH)), text]);
  }

  /** Deletes every entry before `seq`, and the pieces of images before it: what an image at
   * `seq` makes unneeded (compaction). */
  async dropBefore(seq: number): Promise<void> {
    await this.client.delete().range(new Range(seqKey(this.prefix, 0), seqKey(this.prefix, seq)));
    // Pieces are image/<seq>/<i>, whose key order is not number order: each is looked at.
    const pieces = await this.client.getAll().prefix(`${this.prefix}image/`).keys();
    const old = pieces.filter((key) => Number(key.split('/').at(-2)) < seq);
    for (const key of old) await this.client.delete().key(key);
  }

  /** A piece of a large entry, written before the entry that names it (imageKey). */
  async put(key: string, text: string): Promise<void> {
    await this.client.put(`${this.prefix}${key}`).value(text);
  }

  async get(key: string): Promise<string | null> {
    return this.client.get(`${this.prefix}${key}`).string();
  }

  /** Calls `changed` whenever an entry is appended, until the returned stop is called. */
  async watch(changed: () => void): Promise<() => Promise<void>> {
    const watcher = await this.client.watch().key(`${this.prefix}head`).create();
    watcher.on('put', changed);
    return () => watcher.cancel();
  }

  private async holds(fence: Fence): Promise<boolean> {
    const found = await this.client.get(fence.key).exec();
    return found.kvs[0]?.create_revision === fence.createRevision;
  }
}

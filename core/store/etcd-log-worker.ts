// The worker thread behind the replicated store's synchronous calls (etcd-log-sync.ts): the
// store's interface is synchronous, as SQLite's is, and etcd's client is not.
import { runAsWorker } from 'synckit';
import type { Etcd3 } from 'etcd3';
import { connect, EtcdLog } from './etcd-log.js';
import type { LogRequest } from './etcd-log-sync.js';

const clients = new Map<string, Etcd3>();

function log(request: LogRequest): EtcdLog {
  const id = JSON.stringify(request.connection);
  let client = clients.get(id);
  if (!client) clients.set(id, (client = connect(request.connection)));
  return new EtcdLog(client, request.prefix);
}

runAsWorker(async (request: LogRequest) => {
  const target = log(request);
  switch (request.op) {
    case 'head':
      return target.head();
    case 'append':
      return target.append(request.after, request.text, request.fence);
    case 'after':
      return target.after(request.seq, request.limit);
    case 'put':
      return target.put(request.key, request.text);
    case 'get':
      return target.get(request.key);
    case 'dropBefore':
      return target.dropBefore(request.seq);
  }
});

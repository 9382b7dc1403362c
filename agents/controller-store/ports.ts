// Free TCP ports on one address, for a store cluster's client and peer URLs: asked of the kernel
// (listen on port 0) all at once, so no two of them are the same.
import { createServer, type Server } from 'node:net';

export async function freePorts(host: string, count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, host, resolve);
      });
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** A store member on a host of its own (enable-ha --to) listens on fixed ports, as Juju's
 * controllers do on 17070: nothing here can ask that host's kernel for free ones beforehand. */
export const REMOTE_CLIENT_PORT = 17071;
export const REMOTE_PEER_PORT = 17072;

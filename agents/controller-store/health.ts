// Whether a store member answers: a GET of its /health over TLS with the controller's client
// certificate, as any client of the cluster would have to present. etcd serves clients only once
// the member has joined a quorum, so "answers" means "serves".

export interface ClientTls {
  ca: string;
  cert: string;
  key: string;
}

/** Resolves when the member reports itself healthy; throws saying why not (for waitFor's "last"). */
export async function memberHealthy(
  clientUrl: string,
  tls: ClientTls,
  timeoutMs = 2_000,
): Promise<true> {
  // Loaded on first use: node:https costs ~17 ms to load, and every CLI command loads wiring.ts,
  // which re-exports this room.
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(
      `${clientUrl}/health`,
      // No keep-alive agent: a pooled socket would hold the caller's event loop open.
      { ...tls, agent: false, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          let health: unknown;
          try {
            health = (JSON.parse(body) as { health?: unknown }).health;
          } catch {
            health = undefined;
          }
          if (res.statusCode === 200 && health === 'true') resolve(true);
          else reject(new Error(`${clientUrl}/health answered ${res.statusCode}: ${body.trim()}`));
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`${clientUrl}/health: no answer in ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}

// The API's TLS material (issue 16 item 5): the controller's own CA, made once under its folder
// (keys 0600), and the server certificate every member presents. A client pins the CA at
// register, as SSH pins a host key; the server sends it with its certificate so register can.
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ApiTls {
  /** The CA's certificate (PEM): what clients pin. */
  ca: string;
  /** The server's certificate followed by the CA's. */
  cert: string;
  key: string;
  caFingerprint: string;
}

export function apiTlsDir(controllerDir: string): string {
  return join(controllerDir, 'api-tls');
}

/** The controller's API TLS material, made on its first start. Members starting together race
 * to make it: each writes a folder of its own and renames it into place, and the loser reads
 * the winner's. */
export async function ensureApiTls(controllerDir: string, ips: string[]): Promise<ApiTls> {
  const dir = apiTlsDir(controllerDir);
  if (!existsSync(join(dir, 'server.key'))) {
    // The PKI (node-forge) only when there is a CA to make: the CLI reads apiTlsDir from here.
    const { issueCertificate, newCertificateAuthority } = await import('./wiring.js');
    const ca = await newCertificateAuthority('rune controller API CA');
    const server = await issueCertificate(ca, {
      commonName: 'rune controller API',
      ips: ['127.0.0.1', ...ips],
      role: 'member',
    });
    const draft = `${dir}.${process.pid}`;
    rmSync(draft, { recursive: true, force: true });
    mkdirSync(draft, { recursive: true, mode: 0o700 });
    writeFileSync(join(draft, 'ca.pem'), ca.cert, { mode: 0o644 });
    writeFileSync(join(draft, 'ca.key'), ca.key, { mode: 0o600 });
    writeFileSync(join(draft, 'server.pem'), server.cert, { mode: 0o644 });
    // Written last: its presence says the folder is whole.
    writeFileSync(join(draft, 'server.key'), server.key, { mode: 0o600 });
    try {
      renameSync(draft, dir);
    } catch (e) {
      rmSync(draft, { recursive: true, force: true });
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    }
  }
  const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
  return {
    ca,
    cert: readFileSync(join(dir, 'server.pem'), 'utf8') + ca,
    key: readFileSync(join(dir, 'server.key'), 'utf8'),
    caFingerprint: new X509Certificate(ca).fingerprint256,
  };
}

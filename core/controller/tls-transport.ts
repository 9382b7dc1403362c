// The CLI's TCP+TLS connection to a remote controller (issue 16 item 5): the CA pinned at
// register is the only one trusted, and what goes wrong below HTTP is told apart — a certificate
// from another CA, a port that is not Rune's (plain HTTP, another protocol, closed) — before
// anything is sent: TLS carries no request bytes until its handshake has succeeded. Loaded only
// for a remote controller: node:tls costs a local command ~1 ms to load, measured.
import { X509Certificate } from 'node:crypto';
import type { RequestOptions } from 'node:http';
import { connect, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import type { RuneError } from '../model/errors.js';
import { ApiAddressError, CaMismatchError, NotRuneControllerError } from './access-errors.js';
import { ControllerUnreachableError } from './errors.js';
import { parseAddress } from './registration.js';

/** How the CLI reaches a controller on another host (rune register recorded it). */
export interface RemoteTransport {
  addresses: string[];
  /** The CA pinned at register (PEM): the only one trusted. */
  ca: string;
  /** The session token; none for register itself. */
  token?: string;
  /** A member of this host's own controller on another host (enable-ha --to): paths this host
   * names (charm folders, bundles) are there too, so requests naming them are sent. */
  sameFiles?: boolean;
}

/** A silent port (a service waiting for its client to speak first) is not held for minutes. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

const CA_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);

const HANDSHAKE_TIMEOUT = 'RUNE_TLS_HANDSHAKE_TIMEOUT';

/** A TLS connection trusting `ca` alone; pass `ca` undefined to take any certificate (register's
 * first look, to fetch the CA it then compares with the string's fingerprint). */
export function tlsConnection(
  controller: string,
  address: string,
  ca: string | undefined,
): TLSSocket {
  const parsed = parseAddress(address);
  if (parsed === undefined) throw new ApiAddressError(controller, address);
  const socket = connect({
    host: parsed.host,
    port: parsed.port,
    ...(ca === undefined ? { rejectUnauthorized: false } : { ca }),
    // The pinned private CA is the trust: it signs this controller's certificates alone, so the
    // name the CLI dialled (an address, perhaps behind NAT) need not be in the certificate.
    checkServerIdentity: () => undefined,
  });
  const timer = setTimeout(() => {
    const e = new Error(`no TLS handshake within ${HANDSHAKE_TIMEOUT_MS / 1000} s`);
    socket.destroy(Object.assign(e, { code: HANDSHAKE_TIMEOUT }));
  }, HANDSHAKE_TIMEOUT_MS);
  socket.once('secureConnect', () => clearTimeout(timer));
  socket.once('close', () => clearTimeout(timer));
  return socket;
}

/** An HTTP request's options for `address`: over TLS trusting the pinned CA, with the token. */
export function remoteRequest(
  controller: string,
  address: string,
  remote: RemoteTransport,
  request: { method: string; path: string; timeout?: number },
): RequestOptions {
  return {
    ...request,
    headers: remote.token === undefined ? {} : { authorization: `Bearer ${remote.token}` },
    createConnection: () => {
      const socket = tlsConnection(controller, address, remote.ca);
      if (request.timeout !== undefined) socket.setTimeout(request.timeout);
      return socket;
    },
  };
}

/** What a failed connection to `address` means for the user. */
export function connectionError(controller: string, address: string, e: Error): RuneError {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  if (CA_CODES.has(code)) return new CaMismatchError(controller, address, 'register');
  if (code === 'ECONNREFUSED')
    return new NotRuneControllerError(
      controller,
      address,
      'nothing listens there: connection refused; if it is your controller, it is not running',
    );
  if (code === HANDSHAKE_TIMEOUT) return new NotRuneControllerError(controller, address, e.message);
  if (code === 'EPROTO' || code.startsWith('ERR_SSL_'))
    return new NotRuneControllerError(controller, address, 'it does not speak TLS');
  if (code === 'ECONNRESET' && /before secure TLS connection/.test(e.message))
    return new NotRuneControllerError(
      controller,
      address,
      'it closed the connection during the TLS handshake',
    );
  return new ControllerUnreachableError(controller, `${address}: ${e.message}`);
}

/** The certificates `address` presents, each as PEM with its SHA-256 fingerprint, taken without
 * trusting any (register compares them with its string's fingerprint before it sends a thing). */
export function presentedCertificates(
  controller: string,
  address: string,
): Promise<{ pem: string; fingerprint: string }[]> {
  return new Promise((resolve, reject) => {
    let socket: TLSSocket;
    try {
      socket = tlsConnection(controller, address, undefined);
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    socket.once('secureConnect', () => {
      const found: { pem: string; fingerprint: string }[] = [];
      let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      while (
        cert?.raw !== undefined &&
        !found.some((f) => f.fingerprint === cert?.fingerprint256)
      ) {
        found.push({
          pem: new X509Certificate(cert.raw).toString(),
          fingerprint: cert.fingerprint256,
        });
        // Node's type says always there; a chain the server did not send ends without it.
        const issuer: DetailedPeerCertificate | undefined = cert.issuerCertificate;
        cert = issuer;
      }
      socket.end();
      resolve(found);
    });
    socket.once('error', (e: Error) => reject(connectionError(controller, address, e)));
  });
}

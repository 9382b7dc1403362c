// The store cluster's own certificate authority: a CA, a peer+server certificate per member and
// one client certificate for the controller, as PEM strings. Keys come from node:crypto (native,
// off the event loop) and forge only lays out the X.509 fields; nothing here touches files.
import { generateKeyPair, randomBytes, sign } from 'node:crypto';
import { promisify } from 'node:util';
import * as forgeModule from 'node-forge';
import type * as Forge from 'node-forge';

// node-forge is CommonJS filled in at run time: under ESM its API sits on `default`.
const forge = (forgeModule as { default?: typeof Forge }).default ?? forgeModule;

export interface PemPair {
  cert: string;
  key: string;
}

export interface LeafRequest {
  commonName: string;
  /** IP subject alternative names (members are reached by address, never by name). */
  ips: string[];
  /** 'member': serverAuth for clients and clientAuth for dialling its peers; 'client': clientAuth. */
  role: 'member' | 'client';
}

const VALIDITY_YEARS = 10;
// A member on another host whose clock runs a little behind would refuse a certificate that is
// "not yet valid"; an hour of slack costs nothing.
const BACKDATE_MS = 60 * 60 * 1000;

const generateRsa = promisify(generateKeyPair);

interface KeyPair {
  pem: string;
  publicKey: Forge.pki.rsa.PublicKey;
}

async function newKey(): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateRsa('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { pem: privateKey, publicKey: forge.pki.publicKeyFromPem(publicKey) };
}

/** A self-signed CA, valid ten years from an hour ago. */
export async function newCertificateAuthority(commonName: string): Promise<PemPair> {
  const key = await newKey();
  const cert = skeleton(commonName, key.publicKey);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signWith(cert, key.pem);
  return { cert: forge.pki.certificateToPem(cert), key: key.pem };
}

/** The DNS name every store member's certificate holds, the one clients check. */
export const STORE_SERVER_NAME = 'rune-store';

/** A leaf certificate signed by `ca`. */
export async function issueCertificate(ca: PemPair, request: LeafRequest): Promise<PemPair> {
  const issuer = forge.pki.certificateFromPem(ca.cert);
  const key = await newKey();
  const cert = skeleton(request.commonName, key.publicKey);
  cert.setIssuer(issuer.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: request.role === 'member', clientAuth: true },
    // forge turns `ip` into the address's bytes itself. Members also answer to STORE_SERVER_NAME:
    // clients verify that name, not an IP (TLS's server name may not be an address, RFC 6066).
    {
      name: 'subjectAltName',
      altNames: [
        ...[...new Set(request.ips)].map((ip) => ({ type: 7, ip })),
        ...(request.role === 'member' ? [{ type: 2, value: STORE_SERVER_NAME }] : []),
      ],
    },
    { name: 'subjectKeyIdentifier' },
  ]);
  signWith(cert, ca.key);
  return { cert: forge.pki.certificateToPem(cert), key: key.pem };
}

function skeleton(commonName: string, publicKey: Forge.pki.rsa.PublicKey): Forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // 16 random bytes, top bits 01: a positive integer with no leading zero byte in DER.
  const serial = randomBytes(16);
  serial.writeUInt8((serial.readUInt8(0) & 0x3f) | 0x40, 0);
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - BACKDATE_MS);
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  return cert;
}

/** forge's encoder of a certificate's to-be-signed part; @types/node-forge leaves it out. */
interface TbsEncoder {
  getTBSCertificate(cert: Forge.pki.Certificate): Forge.asn1.Asn1;
}

/**
 * Signs with OpenSSL rather than forge's pure-JS RSA (tens of milliseconds a signature): the
 * same fields forge's cert.sign would fill, with the signature computed natively.
 */
function signWith(cert: Forge.pki.Certificate, caKeyPem: string): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption;
  if (oid === undefined) throw new Error('node-forge lacks the sha256WithRSAEncryption OID');
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  const tbs = (forge.pki as unknown as TbsEncoder).getTBSCertificate(cert);
  cert.tbsCertificate = tbs;
  const der = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  cert.signature = sign('sha256', der, caKeyPem).toString('binary');
}

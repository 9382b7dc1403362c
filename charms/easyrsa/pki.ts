// The easyrsa certificate authority as functions over PEM strings: create the CA, issue server
// and client certificates, read back SANs, check a signature. No file, network or clock access
// beyond the `now` default; the charm decides where the PEM lives (leader data, relation bags).
import { createPrivateKey, generateKeyPair, randomBytes, sign } from 'node:crypto';
import { issuedBy, memoized, validity, x509 } from './parsed-certs.js';
import { promisify } from 'node:util';
import * as forgeModule from 'node-forge';
import type * as Forge from 'node-forge';
import { CaKeyMismatchError, CertificateRequestError, PemUnreadableError } from './pki-errors.js';
import type { PemPart } from './pki-errors.js';
import { parseIPv4, parseIPv6, formatIPv6, parseSan, sanText } from '../lib/san.js';
import type { San } from '../lib/san.js';

// node-forge is CommonJS that fills its exports at run time, so Node's ESM namespace holds only
// `default`; the types (no esModuleInterop here) know only the namespace. A static import, not
// createRequire: the charm's bundle lives in a cache outside any node_modules, so esbuild must
// see the import and bundle forge in.
const forge = (forgeModule as { default?: typeof Forge }).default ?? forgeModule;

export { CaKeyMismatchError, CertificateRequestError, PemUnreadableError } from './pki-errors.js';

export interface KeyPair {
  cert: string;
  key: string;
}
export type CertificateAuthority = KeyPair;
export type CertKind = 'server' | 'client';
export interface CertRequest {
  commonName: string;
  sans: string[];
  kind: CertKind;
}

const VALIDITY_YEARS = 10;
// Units' clocks drift apart, and a peer whose clock runs behind the CA's would reject a fresh
// certificate as "not yet valid", so every certificate starts an hour in the past.
export const BACKDATE_MS = 60 * 60 * 1000;
// RFC 5280's ub-common-name.
const MAX_COMMON_NAME = 64;

/**
 * A self-signed CA: CN as given, 10-year validity, basicConstraints cA=true (critical),
 * keyUsage keyCertSign+cRLSign, subjectKeyIdentifier.
 */
export async function createCA(
  commonName: string,
  now: Date = new Date(),
  key: Promise<RsaKeyPair> = newRsaKeyPair(),
): Promise<CertificateAuthority> {
  const problem = commonNameProblem(commonName);
  if (problem !== undefined) throw new CertificateRequestError(commonName, problem);
  const keys = await key;
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.forgePublic;
  cert.serialNumber = randomSerial();
  setValidity(cert, now, undefined);
  const subject = subjectOf(commonName);
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signWith(cert, keys.pem);
  return { cert: forge.pki.certificateToPem(cert), key: keys.pem };
}

/**
 * A certificate signed by the CA, for a server (serverAuth+clientAuth) or a client (clientAuth).
 * `keys` lets a caller bring a key generated ahead (createCA's `key` too).
 */
export async function issueCertificate(
  ca: CertificateAuthority,
  request: CertRequest,
  now: Date = new Date(),
  keys: Promise<RsaKeyPair> = newRsaKeyPair(),
  /** From `now`; default ten years (config.yaml's certificate-lifetime). */
  lifetimeMs?: number,
): Promise<KeyPair> {
  // Checked before the key is awaited, so a bad request fails without waiting for a key; the
  // caller's key promise still settles on its own.
  const sans = plannedSans(request);
  const issuer = readCa(ca);
  const pair = await keys;
  const cert = forge.pki.createCertificate();
  cert.publicKey = pair.forgePublic;
  cert.serialNumber = randomSerial();
  setValidity(cert, now, issuer.cert.validity.notAfter, lifetimeMs);
  cert.setSubject(subjectOf(request.commonName));
  cert.setIssuer(issuer.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    // etcd peers dial each other with their server certificate, so a server one is both.
    { name: 'extKeyUsage', serverAuth: request.kind === 'server', clientAuth: true },
    { name: 'subjectAltName', altNames: sans.map(altName) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: issuer.keyIdentifier },
  ]);
  signWith(cert, ca.key);
  return { cert: forge.pki.certificateToPem(cert), key: pair.pem };
}

/**
 * Validates one SAN: a hostname (RFC 1123 labels, optional leading '*.' wildcard), an IPv4 or
 * IPv6 literal. Returns an error message naming the bad value, or undefined.
 */
export function sanProblem(san: string): string | undefined {
  return parseSan(san).problem;
}

/**
 * The SANs issueCertificate would write for this request, canonical and sorted, so a charm can
 * compare them with certificateSans(existing) and reissue only when they differ.
 */
export function requestedSans(request: CertRequest): string[] {
  return plannedSans(request).map(sanText).sort();
}

/** The SANs a cert carries (dns and ip, as strings, sorted), for reissue decisions and tests. */
export const certificateSans = memoized(sansOf);

function sansOf(certPem: string): string[] {
  const cert = readX509(certPem);
  if (cert === undefined) throw new PemUnreadableError('certificate');
  // Node prints "DNS:a, IP Address:1.2.3.4" (OpenSSL's spelling, IPv6 unabbreviated); values
  // with separators in them come JSON-quoted.
  const found = new Set<string>();
  for (const entry of (cert.subjectAltName ?? '').split(', ')) {
    const colon = entry.indexOf(':');
    const type = entry.slice(0, colon);
    const raw = entry.slice(colon + 1);
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    if (type === 'DNS') found.add(value.toLowerCase());
    if (type === 'IP Address') {
      const v4 = parseIPv4(value);
      const v6 = v4 === undefined ? parseIPv6(value) : undefined;
      found.add(v4 !== undefined ? v4.join('.') : v6 !== undefined ? formatIPv6(v6) : value);
    }
  }
  return [...found].sort();
}

/** The subject CN a cert carries, or undefined: a changed CN is a new request, like new SANs. */
export const certificateCommonName = memoized(commonNameOf);

function commonNameOf(certPem: string): string | undefined {
  // Through forge, not X509Certificate.subject: Node escapes ",+\\" the RFC 4514 way, and a CN
  // that never compares equal to its request would reissue on every hook.
  let cert: Forge.pki.Certificate;
  try {
    cert = forge.pki.certificateFromPem(certPem);
  } catch {
    return undefined;
  }
  const field = cert.subject.getField('CN') as { value?: unknown; valueTagClass?: unknown } | null;
  if (typeof field?.value !== 'string') return undefined;
  // forge hands a UTF8String back as its raw bytes.
  return field.valueTagClass === forge.asn1.Type.UTF8
    ? forge.util.decodeUtf8(field.value)
    : field.value;
}

/** Throws PemUnreadableError or CaKeyMismatchError unless the pair can sign (a restored CA). */
export function checkCertificateAuthority(ca: CertificateAuthority): void {
  readCa(ca);
}

/**
 * True when certPem was signed by caPem (verify signature) and is not expired at `now`.
 * An unreadable PEM is simply not signed by anything; the CA must be within its validity too,
 * as a TLS peer trusting it would also insist.
 */
export function signedBy(certPem: string, caPem: string, now: Date = new Date()): boolean {
  const cert = readX509(certPem);
  const ca = readX509(caPem);
  if (cert === undefined || ca === undefined) return false;
  if (!issuedBy(cert, ca)) return false;
  return validAt(certPem, now) && validAt(caPem, now);
}

function plannedSans(request: CertRequest): San[] {
  const { commonName } = request;
  const cnProblem = commonNameProblem(commonName);
  if (cnProblem !== undefined) throw new CertificateRequestError(commonName, cnProblem);
  const sans = new Map<string, San>();
  // A CN like "system:kube-apiserver" names a principal, not a host: it stays out of the SANs.
  const cn = parseSan(commonName).san;
  if (cn !== undefined) sans.set(sanText(cn), cn);
  for (const raw of request.sans) {
    const parsed = parseSan(raw);
    if (parsed.san === undefined) throw new CertificateRequestError(commonName, parsed.problem);
    sans.set(sanText(parsed.san), parsed.san);
  }
  return [...sans.values()];
}

function commonNameProblem(commonName: string): string | undefined {
  if (commonName.trim() === '') return 'the common name is empty';
  if (commonName.length > MAX_COMMON_NAME) {
    return `the common name is longer than ${MAX_COMMON_NAME} characters`;
  }
  // eslint-disable-next-line no-control-regex -- control characters are what we refuse
  if (/[\u0000-\u001f\u007f]/.test(commonName)) return 'the common name has control characters';
  return undefined;
}

function altName(san: San): { type: number; value: string } {
  // forge writes `value` verbatim: a DNS name as IA5String, an IP as its network-order bytes.
  return san.type === 'dns'
    ? { type: 2, value: san.name }
    : { type: 7, value: String.fromCharCode(...san.bytes) };
}

function subjectOf(commonName: string): Forge.pki.CertificateField[] {
  // UTF8String as RFC 5280 asks; forge's PrintableString default cannot hold "*" or "_".
  // @types/node-forge mistypes valueTagClass as a class; forge reads it as the string's tag.
  const valueTagClass = forge.asn1.Type.UTF8 as unknown as Forge.asn1.Class;
  return [{ name: 'commonName', value: commonName, valueTagClass }];
}

/**
 * Ten years by default for leaf certificates as for the CA (the reference rotated nothing); a
 * shorter leaf life is the operator's choice, with the charm reissuing before the end. A leaf
 * never outlives its CA, though, since the chain would stop verifying at the CA's end anyway
 * and the later date would mislead.
 */
function setValidity(
  cert: Forge.pki.Certificate,
  now: Date,
  caNotAfter: Date | undefined,
  lifetimeMs?: number,
): void {
  const notAfter = new Date(now.getTime());
  if (lifetimeMs === undefined) notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  else notAfter.setTime(now.getTime() + lifetimeMs);
  cert.validity.notBefore = new Date(now.getTime() - BACKDATE_MS);
  cert.validity.notAfter =
    caNotAfter !== undefined && caNotAfter < notAfter ? new Date(caNotAfter) : notAfter;
}

/**
 * 16 random bytes with the top bits set to 01: positive (top bit clear) and minimally DER
 * encoded (no leading zero byte), leaving 126 random bits, well over RFC 5280's needs.
 */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes.writeUInt8((bytes.readUInt8(0) & 0x3f) | 0x40, 0);
  return bytes.toString('hex');
}

export interface RsaKeyPair {
  pem: string;
  forgePublic: Forge.pki.rsa.PublicKey;
}

const generateRsa = promisify(generateKeyPair);

/**
 * A fresh RSA 2048 key from Node's native generator, on libuv's thread pool: it takes 100-250 ms
 * of CPU here, and a synchronous call would stall every hook the controller is running meanwhile
 * (charms run in its event loop), where forge's pure-JS generator would take seconds.
 */
export async function newRsaKeyPair(): Promise<RsaKeyPair> {
  const { privateKey, publicKey } = await generateRsa('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { pem: privateKey, forgePublic: forge.pki.publicKeyFromPem(publicKey) };
}

/** forge's encoder of the signed part of a certificate, missing from @types/node-forge. */
interface TbsApi {
  getTBSCertificate(cert: Forge.pki.Certificate): Forge.asn1.Asn1;
}

/**
 * forge builds the certificate; OpenSSL signs it: forge's pure-JS RSA takes ~50 ms a
 * signature on this hardware, native well under 1 ms. Same steps as forge's own cert.sign.
 */
function signWith(cert: Forge.pki.Certificate, keyPem: string): void {
  const algorithm = forge.pki.oids.sha256WithRSAEncryption;
  if (algorithm === undefined) throw new Error('node-forge lacks the sha256WithRSAEncryption OID');
  cert.signatureOid = algorithm;
  cert.siginfo.algorithmOid = algorithm;
  const tbs = (forge.pki as unknown as TbsApi).getTBSCertificate(cert);
  cert.tbsCertificate = tbs;
  const der = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  cert.signature = sign('sha256', der, keyPem).toString('binary');
}

interface ReadCa {
  cert: Forge.pki.Certificate;
  keyIdentifier: string;
}

function readCa(ca: CertificateAuthority): ReadCa {
  const cert = parseOr('CA certificate', () => forge.pki.certificateFromPem(ca.cert));
  const key = parseOr('CA private key', () => createPrivateKey(ca.key));
  const x509 = readX509(ca.cert);
  if (x509 === undefined) throw new PemUnreadableError('CA certificate');
  if (!x509.checkPrivateKey(key)) throw new CaKeyMismatchError();
  // Prefer the CA's own SKI (a restored CA may have been made elsewhere, by another method);
  // forge's `keyIdentifier: true` would wrongly hash the leaf's key instead.
  const ski = cert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | null;
  const keyIdentifier =
    ski?.subjectKeyIdentifier !== undefined
      ? forge.util.hexToBytes(ski.subjectKeyIdentifier)
      : cert.generateSubjectKeyIdentifier().getBytes();
  return { cert, keyIdentifier };
}

function parseOr<T>(part: PemPart, parse: () => T): T {
  try {
    return parse();
  } catch {
    throw new PemUnreadableError(part);
  }
}

const readX509 = x509;

function validAt(pem: string, now: Date): boolean {
  const time = now.getTime();
  const { from, to } = validity(pem);
  return from <= time && time <= to;
}

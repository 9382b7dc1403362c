// The easyrsa CA functions, checked the way a TLS peer would see their output: through Node's
// X509Certificate (OpenSSL) and the openssl CLI, never by reading forge's own objects back.
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CaKeyMismatchError,
  CertificateRequestError,
  PemUnreadableError,
  certificateSans,
  createCA,
  issueCertificate,
  requestedSans,
  sanProblem,
  signedBy,
} from '../../../charms/easyrsa/pki.js';
import type { CertRequest, KeyPair } from '../../../charms/easyrsa/pki.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const DAY_MS = 24 * 60 * 60 * 1000;
// Whole seconds: X.509 times carry no milliseconds.
const NOW = new Date('2024-03-01T12:00:00Z');

// Top-level await: every test below shares one CA, as one deployment does.
const ca = await createCA('Juju Generated CA', NOW);
const caX509 = new X509Certificate(ca.cert);

function x509(pair: KeyPair): X509Certificate {
  return new X509Certificate(pair.cert);
}

function keyMatchesCert(pair: KeyPair): boolean {
  const fromKey = createPublicKey(createPrivateKey(pair.key)).export({
    type: 'spki',
    format: 'der',
  });
  const fromCert = x509(pair).publicKey.export({ type: 'spki', format: 'der' });
  return fromKey.equals(fromCert);
}

async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('createCA', () => {
  it('makes a self-signed CA certificate with the given common name', () => {
    expect(caX509.subject).toBe('CN=Juju Generated CA');
    expect(caX509.issuer).toBe('CN=Juju Generated CA');
    expect(caX509.ca).toBe(true);
    expect(caX509.checkIssued(caX509)).toBe(true);
    expect(caX509.verify(caX509.publicKey)).toBe(true);
    expect(keyMatchesCert(ca)).toBe(true);
  });

  it('is valid for ten years, starting an hour before now for clock skew', () => {
    expect(Date.parse(caX509.validFrom)).toBe(NOW.getTime() - 60 * 60 * 1000);
    const days = (Date.parse(caX509.validTo) - NOW.getTime()) / DAY_MS;
    expect(days).toBeGreaterThanOrEqual(3652);
    expect(days).toBeLessThanOrEqual(3653);
  });

  it('refuses an empty common name', async () => {
    await expect(createCA('  ')).rejects.toThrow(CertificateRequestError);
  });
});

describe('issueCertificate', async () => {
  const server = await issueCertificate(
    ca,
    { commonName: 'etcd-0', sans: ['10.0.0.5', 'etcd-0.lxd'], kind: 'server' },
    NOW,
  );
  const client = await issueCertificate(
    ca,
    { commonName: 'client', sans: [], kind: 'client' },
    NOW,
  );

  it('signs a server certificate that the CA verifies', () => {
    const cert = x509(server);
    expect(cert.subject).toBe('CN=etcd-0');
    expect(cert.issuer).toBe('CN=Juju Generated CA');
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(caX509)).toBe(true);
    expect(cert.verify(caX509.publicKey)).toBe(true);
    expect(keyMatchesCert(server)).toBe(true);
  });

  it('puts the SANs and the common name in subjectAltName', () => {
    const entries = x509(server).subjectAltName?.split(', ').sort();
    expect(entries).toEqual(['DNS:etcd-0', 'DNS:etcd-0.lxd', 'IP Address:10.0.0.5']);
    expect(certificateSans(server.cert)).toEqual(['10.0.0.5', 'etcd-0', 'etcd-0.lxd']);
  });

  it('lets a server certificate serve and dial (etcd peers), a client one only dial', () => {
    expect(x509(server).keyUsage?.sort()).toEqual([SERVER_AUTH, CLIENT_AUTH]);
    expect(x509(client).keyUsage).toEqual([CLIENT_AUTH]);
  });

  it('carries IPv6 SANs, written and read back in one canonical spelling', async () => {
    const pair = await issueCertificate(ca, {
      commonName: 'node-1',
      sans: ['2001:DB8::1', '::1', 'fd00:0:0:0:0:0:0:a'],
      kind: 'server',
    });
    expect(x509(pair).subjectAltName).toContain('IP Address:2001:DB8:0:0:0:0:0:1');
    expect(certificateSans(pair.cert)).toEqual(['2001:db8::1', '::1', 'fd00::a', 'node-1']);
  });

  it('keeps a principal-style common name out of the SANs', async () => {
    const pair = await issueCertificate(ca, {
      commonName: 'system:kube-apiserver',
      sans: [],
      kind: 'client',
    });
    expect(x509(pair).subject).toBe('CN=system:kube-apiserver');
    expect(x509(pair).subjectAltName ?? '').toBe('');
  });

  it('accepts a wildcard SAN and folds case and duplicates', async () => {
    const pair = await issueCertificate(ca, {
      commonName: 'Web',
      sans: ['*.Example.com', 'web', '10.0.0.1', '10.0.0.1'],
      kind: 'server',
    });
    expect(certificateSans(pair.cert)).toEqual(['*.example.com', '10.0.0.1', 'web']);
  });

  it('gives every certificate its own positive serial', async () => {
    const again = await issueCertificate(ca, { commonName: 'etcd-0', sans: [], kind: 'server' });
    const serials = [x509(server).serialNumber, x509(again).serialNumber, caX509.serialNumber];
    expect(new Set(serials).size).toBe(3);
    for (const serial of serials) expect(parseInt(serial.charAt(0), 16)).toBeLessThan(8);
  });

  it('starts an hour early and never outlives the CA', async () => {
    expect(Date.parse(x509(server).validFrom)).toBe(NOW.getTime() - 60 * 60 * 1000);
    expect(x509(server).validTo).toBe(caX509.validTo);
    const later = new Date(NOW.getTime() + 5 * 365 * DAY_MS);
    const late = await issueCertificate(
      ca,
      { commonName: 'late', sans: [], kind: 'client' },
      later,
    );
    expect(x509(late).validTo).toBe(caX509.validTo);
  });

  it.each([
    ['bad host!', '"bad host!"'],
    ['999.1.1.1', '"999.1.1.1"'],
    ['', '""'],
    ['01.2.3.4', '"01.2.3.4"'],
    ['fe80::1%eth0', '"fe80::1%eth0"'],
  ])('refuses the SAN %j, naming it', async (san, shown) => {
    const error = await caught(() =>
      issueCertificate(ca, { commonName: 'etcd-0', sans: ['ok.example', san], kind: 'server' }),
    );
    expect(error).toBeInstanceOf(CertificateRequestError);
    expect((error as CertificateRequestError).kind).toBe('user');
    expect((error as Error).message).toContain(shown);
    expect((error as Error).message).toContain('"etcd-0"');
  });

  it('refuses an empty common name', async () => {
    const error = await caught(() =>
      issueCertificate(ca, { commonName: '', sans: [], kind: 'client' }),
    );
    expect(error).toBeInstanceOf(CertificateRequestError);
    expect((error as Error).message).toMatch(/common name is empty/);
  });

  it('names a broken or mismatched CA without quoting its key', async () => {
    const other = await createCA('Other CA');
    const request: CertRequest = { commonName: 'x', sans: [], kind: 'client' };
    const garbled = ca.key.replace(/[A-Za-z]/g, 'A');
    const unreadable = await caught(() =>
      issueCertificate({ cert: ca.cert, key: garbled }, request),
    );
    const mismatch = await caught(() =>
      issueCertificate({ cert: ca.cert, key: other.key }, request),
    );
    expect(unreadable).toBeInstanceOf(PemUnreadableError);
    expect(mismatch).toBeInstanceOf(CaKeyMismatchError);
    for (const error of [unreadable, mismatch]) {
      const message = (error as Error).message;
      expect(message).not.toMatch(/PRIVATE KEY|[A-Za-z0-9+/]{24}/);
    }
  });
});

describe('sanProblem', () => {
  it.each([
    'etcd-0',
    'LOCALHOST',
    'host.example.com',
    '*.example.com',
    '10.0.0.1',
    '::1',
    '2001:db8::1',
    '::ffff:10.0.0.1',
  ])('accepts %j', (san) => {
    expect(sanProblem(san)).toBeUndefined();
  });

  it.each(['bad host!', '999.1.1.1', '', '1.2.3', 'a..b', '-a.com', '*', 'a.*.com', '1::2::3'])(
    'refuses %j, naming it',
    (san) => {
      expect(sanProblem(san)).toContain(JSON.stringify(san));
    },
  );
});

describe('requestedSans', () => {
  it('predicts the SANs an issued certificate carries, so reissue can compare', async () => {
    const request: CertRequest = {
      commonName: 'etcd-1',
      sans: ['2001:DB8::1', 'Etcd-1.lxd'],
      kind: 'server',
    };
    const pair = await issueCertificate(ca, request);
    expect(requestedSans(request)).toEqual(certificateSans(pair.cert));
  });
});

describe('signedBy', async () => {
  const pair = await issueCertificate(ca, { commonName: 'w', sans: [], kind: 'client' }, NOW);

  it('is true for a certificate of this CA while both are valid', () => {
    expect(signedBy(pair.cert, ca.cert, new Date(NOW.getTime() + DAY_MS))).toBe(true);
  });

  it('is false for another CA, outside the validity window, or for garbage', async () => {
    const other = await createCA('Other CA', NOW);
    expect(signedBy(pair.cert, other.cert, NOW)).toBe(false);
    expect(signedBy(pair.cert, ca.cert, new Date(NOW.getTime() - 2 * 60 * 60 * 1000))).toBe(false);
    expect(signedBy(pair.cert, ca.cert, new Date(NOW.getTime() + 3660 * DAY_MS))).toBe(false);
    expect(signedBy('not a pem', ca.cert, NOW)).toBe(false);
  });
});

describe('openssl', () => {
  it('verifies the chain and the purposes, and sees the CA extensions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rune-pki-'));
    try {
      const server = await issueCertificate(ca, {
        commonName: 'etcd-0',
        sans: ['10.0.0.5', '::1'],
        kind: 'server',
      });
      const client = await issueCertificate(ca, { commonName: 'client', sans: [], kind: 'client' });
      const file = (name: string, text: string): string => {
        writeFileSync(join(dir, name), text);
        return join(dir, name);
      };
      const caFile = file('ca.pem', ca.cert);
      const serverFile = file('server.pem', server.cert);
      const clientFile = file('client.pem', client.cert);
      const openssl = (...args: string[]): string =>
        execFileSync('openssl', args, { encoding: 'utf8', stdio: 'pipe' });

      expect(openssl('verify', '-CAfile', caFile, serverFile)).toContain('OK');
      expect(openssl('verify', '-CAfile', caFile, '-purpose', 'sslserver', serverFile)).toContain(
        'OK',
      );
      expect(openssl('verify', '-CAfile', caFile, '-purpose', 'sslclient', clientFile)).toContain(
        'OK',
      );
      expect(() =>
        openssl('verify', '-CAfile', caFile, '-purpose', 'sslserver', clientFile),
      ).toThrow();

      const text = openssl('x509', '-in', caFile, '-noout', '-text');
      expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
      expect(text).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
      expect(text).toContain('Subject Key Identifier');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The record of every certificate the leader has out (issue 15 item 5): holder, name, kind,
// serial and expiry, kept in leader settings so a new leader and the list-certs action see it.
import type { ReadBag, WriteBag } from 'rune/charm';
import { x509 } from './parsed-certs.js';
import { isUnitCertKey } from './requests.js';

/** Leader-settings key: the records as JSON, sorted, so an unchanged set is no write. */
export const RECORDS = 'certificates';

export interface CertRecord {
  /** `etcd_0` for a unit's certificate, `client` for the shared client certificate. */
  holder: string;
  /** The common name it was issued for. */
  name: string;
  kind: 'server' | 'client';
  serial: string;
  /** ISO 8601, the certificate's notAfter. */
  expires: string;
  /** The CN of the CA that signed it. */
  issuer: string;
}

function recordOf(holder: string, kind: CertRecord['kind'], pem: string): CertRecord | undefined {
  const cert = x509(pem);
  if (cert === undefined) return undefined;
  const cn = (dn: string) => /(?:^|\n)CN=([^\n]*)/.exec(dn)?.[1] ?? dn;
  return {
    holder,
    name: cn(cert.subject),
    kind,
    serial: cert.serialNumber,
    expires: new Date(cert.validTo).toISOString(),
    issuer: cn(cert.issuer),
  };
}

/** Every certificate in the provider keys of `published` (one relation's desired bag). */
export function recordsIn(published: Readonly<Record<string, string>>): CertRecord[] {
  const out: CertRecord[] = [];
  for (const [key, value] of Object.entries(published)) {
    if (!isUnitCertKey(key)) continue;
    const holder = key.slice(0, key.indexOf('.'));
    if (key.endsWith('.server.cert')) {
      const rec = recordOf(holder, 'server', value);
      if (rec !== undefined) out.push(rec);
    } else if (key.endsWith('_requests')) {
      const kind = key.endsWith('.processed_client_requests') ? 'client' : 'server';
      let batch: unknown;
      try {
        batch = JSON.parse(value);
      } catch {
        continue;
      }
      if (typeof batch !== 'object' || batch === null) continue;
      for (const entry of Object.values(batch as Record<string, { cert?: unknown }>)) {
        const rec = typeof entry.cert === 'string' ? recordOf(holder, kind, entry.cert) : undefined;
        if (rec !== undefined) out.push(rec);
      }
    }
  }
  return out;
}

/** The shared client certificate's record. */
export function clientRecord(certPem: string): CertRecord[] {
  const rec = recordOf('client', 'client', certPem);
  return rec === undefined ? [] : [rec];
}

export function writeRecords(settings: WriteBag, records: readonly CertRecord[]): void {
  const sorted = [...records].sort((a, b) =>
    `${a.holder} ${a.name} ${a.kind}` < `${b.holder} ${b.name} ${b.kind}` ? -1 : 1,
  );
  if (sorted.length === 0) {
    if (settings.get(RECORDS) !== undefined) settings.delete(RECORDS);
    return;
  }
  const text = JSON.stringify(sorted);
  if (settings.get(RECORDS) !== text) settings.set(RECORDS, text);
}

export function readRecords(settings: ReadBag): CertRecord[] {
  const text = settings.get(RECORDS);
  if (text === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as CertRecord[]) : [];
  } catch {
    return [];
  }
}

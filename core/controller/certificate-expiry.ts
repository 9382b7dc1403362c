// Certificate expiry as a fact the controller knows (issue 17 item 3). An issuing charm (easyrsa)
// records every certificate it signed in its leader settings under `certificates`
// (charms/easyrsa/records.ts); the controller reads that key alone, and of each record only the
// holder and the expiry — never a key, which sits beside it in the same settings.
import type { RelationRecord, Store, UnitIndexEntry } from '../store/types.js';

/** The leader-settings key holding the records (charms/easyrsa/records.ts RECORDS). */
export const CERTIFICATE_RECORDS = 'certificates';

export interface CertificateExpiries {
  /** Unit → the earliest expiry (ms since the epoch) of the certificates it holds. */
  units: Map<string, number>;
  /** Application → the earliest of its units'. */
  applications: Map<string, number>;
}

type ExpiryReads = Pick<Store, 'applications' | 'leaderSettings' | 'relations' | 'unitIndex'>;
type UnitName = Pick<UnitIndexEntry, 'name' | 'application'>;

/** `etcd_0` (a unit's certificate) → `etcd/0`; `client`, the shared one, names no unit. */
function unitOf(holder: string): string | undefined {
  const m = /^([a-z][a-z0-9-]*)_([0-9]+)$/.exec(holder);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

type Held = { holder: string; expires: number }[];

/** The last records read per issuer, by their text: status reads them on every model change,
 * and with 1,000 workers easyrsa's records are a few hundred kilobytes of JSON. */
const lastRecords = new Map<string, { text: string; records: Held }>();

function recordsOf(issuer: string, text: string | undefined): Held {
  if (text === undefined) return [];
  const last = lastRecords.get(issuer);
  if (last?.text === text) return last.records;
  const records = recordsIn(text);
  lastRecords.set(issuer, { text, records });
  return records;
}

/** The records' holders and expiries; anything malformed is passed over, not fatal. */
function recordsIn(text: string): Held {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((record: unknown) => {
    if (typeof record !== 'object' || record === null) return [];
    const { holder, expires } = record as Record<string, unknown>;
    const ms = typeof expires === 'string' ? Date.parse(expires) : NaN;
    return typeof holder === 'string' && Number.isFinite(ms) ? [{ holder, expires: ms }] : [];
  });
}

/** The applications `issuer` hands certificates to over tls-certificates. */
function consumersOf(relations: readonly RelationRecord[], issuer: string): Set<string> {
  const consumers = new Set<string>();
  for (const r of relations) {
    const own = r.endpoints.find((e) => e.application === issuer);
    if (own?.interface !== 'tls-certificates' || own.role !== 'provider') continue;
    for (const e of r.endpoints) if (e !== own) consumers.add(e.application);
  }
  return consumers;
}

function keepEarliest(map: Map<string, number>, key: string, ms: number): void {
  const known = map.get(key);
  if (known === undefined || ms < known) map.set(key, ms);
}

/**
 * Who holds which certificate until when. A unit's own certificate is its; the shared client
 * certificate (holder `client`, 1.21's one for every consumer) is held by every unit of every
 * application the issuer relates to over tls-certificates. Records of units gone are dropped.
 */
export function certificateExpiries(
  store: ExpiryReads,
  units: readonly UnitName[] = store.unitIndex(),
): CertificateExpiries {
  const held = new Map<string, number>();
  const present = new Set(units.map((u) => u.name));
  let relations: RelationRecord[] | undefined;
  for (const app of store.applications()) {
    const records = recordsOf(app.name, store.leaderSettings(app.name)[CERTIFICATE_RECORDS]);
    if (records.length === 0) continue;
    relations ??= store.relations();
    const consumers = consumersOf(relations, app.name);
    for (const { holder, expires } of records) {
      const unit = unitOf(holder);
      if (unit !== undefined) {
        if (present.has(unit)) keepEarliest(held, unit, expires);
      } else if (holder === 'client') {
        for (const u of units)
          if (consumers.has(u.application)) keepEarliest(held, u.name, expires);
      }
    }
  }
  const applications = new Map<string, number>();
  for (const [unit, ms] of held) keepEarliest(applications, unit.slice(0, unit.indexOf('/')), ms);
  return { units: held, applications };
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Rounded in its largest unit: a 10-day certificate just issued expires "in 10 days". */
function span(ms: number): string {
  const [n, unit] =
    ms >= DAY_MS
      ? [Math.round(ms / DAY_MS), 'day']
      : ms >= HOUR_MS
        ? [Math.round(ms / HOUR_MS), 'hour']
        : [Math.max(1, Math.round(ms / MINUTE_MS)), 'minute'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** What status says of a certificate that expires within `windowMs` of `now` (or has). */
export function expiryWarning(expires: number, now: number, windowMs: number): string | undefined {
  if (expires - now > windowMs) return undefined;
  const date = new Date(expires).toISOString().replace(/\.\d+Z$/, 'Z');
  if (expires <= now) return `certificate expired ${date}`;
  return `certificate expires in ${span(expires - now)} (${date})`;
}

// When a leaf certificate is due for reissue: the operator's lifetime and renewal fraction
// (config.yaml), and the leader's "nothing issued before" mark that rotate-certs sets. Pure.
import type { X509Certificate } from 'node:crypto';
import { validity } from './parsed-certs.js';
import { BACKDATE_MS } from './pki.js';

export interface RenewalPolicy {
  /** A new leaf's validity, from its issue. */
  lifetimeMs: number;
  /** Reissue once less than this fraction of a leaf's own lifetime is left. */
  renewBefore: number;
  /** Leaves issued before this instant are reissued (rotate-certs); absent: none. */
  issuedNotBefore?: Date;
}

export const DEFAULT_POLICY: RenewalPolicy = { lifetimeMs: 3650 * 86_400_000, renewBefore: 0.33 };

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90d`, `12h`, `10m`, `30s` in milliseconds; undefined for anything else. */
export function parseLifetime(text: string): number | undefined {
  const match = /^\s*([0-9]+)\s*([smhd])\s*$/.exec(text);
  if (match === null) return undefined;
  const ms = Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

/** The policy from the charm's config, or the operator's mistake in words. */
export function renewalPolicy(
  config: Readonly<Record<string, unknown>>,
): { policy: RenewalPolicy } | { problem: string } {
  const lifetimeText = config['certificate-lifetime'] ?? '3650d';
  const lifetimeMs = typeof lifetimeText === 'string' ? parseLifetime(lifetimeText) : undefined;
  if (lifetimeMs === undefined) {
    return {
      problem: `certificate-lifetime: ${JSON.stringify(lifetimeText)} is not a duration like 90d, 12h or 10m`,
    };
  }
  const renewBefore = config['renew-before'] ?? DEFAULT_POLICY.renewBefore;
  if (typeof renewBefore !== 'number' || !(renewBefore > 0 && renewBefore < 1)) {
    return {
      problem: `renew-before: must be a fraction between 0 and 1, got ${JSON.stringify(renewBefore)}`,
    };
  }
  return { policy: { lifetimeMs, renewBefore } };
}

/** When the certificate was issued: its notBefore is backdated (pki.ts) by a fixed amount. */
export function issuedAt(cert: X509Certificate): Date {
  return new Date(Date.parse(cert.validFrom) + BACKDATE_MS);
}

/**
 * Whether a leaf is due for reissue at `now`: less than `renewBefore` of its own lifetime left,
 * or issued before the rotate-certs mark. Its own lifetime, not the configured one: a change of
 * certificate-lifetime applies to the leaves issued from then on, not as a mass reissue.
 */
export function renewalDue(certPem: string, policy: RenewalPolicy, now: Date): boolean {
  const { from, to: end } = validity(certPem);
  if (Number.isNaN(from)) return true;
  const issued = from + BACKDATE_MS;
  if (policy.issuedNotBefore !== undefined && issued < policy.issuedNotBefore.getTime()) {
    return true;
  }
  return end - now.getTime() < policy.renewBefore * (end - issued);
}

/**
 * The time a new leaf is stamped with: now, or the rotate-certs mark when that is later (by
 * under a second: certificates count whole seconds, and a leaf issued in the mark's own second
 * must count as issued after it, or it would be due again at once).
 */
export function issueTime(policy: RenewalPolicy, now: Date): Date {
  const mark = policy.issuedNotBefore;
  return mark !== undefined && mark > now ? mark : now;
}

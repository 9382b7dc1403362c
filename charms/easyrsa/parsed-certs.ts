// Certificates parsed once per text: every hook of the CA looks at every certificate it issued
// (is it still signed by the CA, due for renewal, for the same name?), and parsing and
// verifying each anew made a hook's cost grow with the model: with 1,000 requesters, a
// quadratic share of the whole deploy. Certificates are immutable text, so a parse kept in
// memory (bounded) is as good as a fresh one.
import { X509Certificate } from 'node:crypto';

const LIMIT = 20_000;

/** A parse, or what a failed parse said (undefined), remembered by the text. */
function remember<V>(cache: Map<string, V>, key: string, make: () => V): V {
  if (cache.has(key)) return cache.get(key) as V;
  const value = make();
  // Dropping everything at the bound keeps this simple; the next hook parses what it needs again.
  if (cache.size >= LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

const parsed = new Map<string, X509Certificate | undefined>();

/** The certificate in `pem`, or undefined when it does not parse. */
export function x509(pem: string): X509Certificate | undefined {
  return remember(parsed, pem, () => {
    try {
      return new X509Certificate(pem);
    } catch {
      return undefined;
    }
  });
}

// By the parsed objects, which x509() shares per text: a key of fingerprints computed a SHA-256
// of both certificates on every call.
const issued = new WeakMap<X509Certificate, WeakMap<X509Certificate, boolean>>();

/** Whether `cert` names `ca` as its issuer and carries its signature (validity aside). */
export function issuedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  let byCa = issued.get(cert);
  if (byCa === undefined) issued.set(cert, (byCa = new WeakMap()));
  let verdict = byCa.get(ca);
  if (verdict === undefined) {
    verdict = cert.checkIssued(ca) && cert.verify(ca.publicKey);
    byCa.set(ca, verdict);
  }
  return verdict;
}

/** A certificate's validity window in epoch ms (NaN for text that does not parse): X509's
 * validFrom/validTo are native getters that format a date string, parsed again on each call. */
export const validity = memoized((pem: string): { from: number; to: number } => {
  const cert = x509(pem);
  return cert === undefined
    ? { from: Number.NaN, to: Number.NaN }
    : { from: Date.parse(cert.validFrom), to: Date.parse(cert.validTo) };
});

/** `derive(pem)` remembered by the text, for facts read from a certificate (its CN, its SANs). */
export function memoized<V>(derive: (pem: string) => V): (pem: string) => V {
  const cache = new Map<string, V>();
  return (pem) => remember(cache, pem, () => derive(pem));
}

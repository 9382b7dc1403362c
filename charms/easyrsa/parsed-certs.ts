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

const issued = new Map<string, boolean>();

/** Whether `cert` names `ca` as its issuer and carries its signature (validity aside). */
export function issuedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  return remember(
    issued,
    `${cert.fingerprint256} ${ca.fingerprint256}`,
    () => cert.checkIssued(ca) && cert.verify(ca.publicKey),
  );
}

/** `derive(pem)` remembered by the text, for facts read from a certificate (its CN, its SANs). */
export function memoized<V>(derive: (pem: string) => V): (pem: string) => V {
  const cache = new Map<string, V>();
  return (pem) => remember(cache, pem, () => derive(pem));
}

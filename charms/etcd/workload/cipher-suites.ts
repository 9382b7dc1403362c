// The TLS cipher suites etcd 3.4 takes in --cipher-suites: Go crypto/tls's names, as etcd 3.4's
// own table lists them (pkg/tlsutil). etcd refuses to start on any other name, so config
// `tls_cipher_suites` is checked against this list before a member is ever restarted with it
// (issue 15 item 11: one bad name took every member down at once). Pure.

export const ETCD_CIPHER_SUITES: readonly string[] = [
  'TLS_RSA_WITH_RC4_128_SHA',
  'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_RSA_WITH_AES_128_CBC_SHA',
  'TLS_RSA_WITH_AES_256_CBC_SHA',
  'TLS_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_RC4_128_SHA',
  'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
];

/** The option's names as flags.ts passes them: split on commas, trimmed, empties dropped. */
export function cipherSuiteNames(setting: string): string[] {
  return setting
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * What is wrong with the setting, naming the option and each bad name, or undefined. Names are
 * case-sensitive, as etcd's table is. A list of ECDSA suites alone is refused as well: the
 * certificate authority issues RSA keys, so no TLS 1.2 client or peer could agree on a suite.
 */
export function cipherSuitesProblem(setting: unknown): string | undefined {
  if (typeof setting !== 'string') {
    return `tls_cipher_suites must be a comma-separated list of suite names, got ${String(setting)}`;
  }
  const names = cipherSuiteNames(setting);
  const unknown = names.filter((n) => !ETCD_CIPHER_SUITES.includes(n));
  if (unknown.length > 0) {
    const shown = unknown.map((n) => JSON.stringify(n)).join(', ');
    return (
      `tls_cipher_suites has ${unknown.length === 1 ? 'a name' : 'names'} etcd 3.4 does not ` +
      `know: ${shown} (it takes Go's names, such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)`
    );
  }
  if (names.length > 0 && !names.some((n) => !n.startsWith('TLS_ECDHE_ECDSA_'))) {
    return (
      'tls_cipher_suites must include a suite for RSA keys (TLS_ECDHE_RSA_* or TLS_RSA_*): ' +
      'the certificate authority issues RSA keys'
    );
  }
  return undefined;
}

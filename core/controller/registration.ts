// The string `rune add-user` prints and `rune register` takes (issue 16 item 5): which controller,
// where its API listens, its CA's fingerprint (pinned on register, like a host key) and a
// one-time secret, as base64url of JSON. Pure: no I/O, no clock.
import { RuneError } from '../model/errors.js';
import type { ProviderKind } from '../store/types.js';

export interface Registration {
  controller: string;
  /** The controller's id (controller.json), kept in the client's registry. */
  id: string;
  provider: ProviderKind;
  user: string;
  /** `host:port` of each member's API, in member order. */
  addresses: string[];
  /** SHA-256 fingerprint of the controller's API CA, as node:crypto prints it (`AB:CD:...`). */
  caFingerprint: string;
  secret: string;
  expiresAt: string;
}

const VERSION = 1;

export class RegistrationStringError extends RuneError {
  readonly kind = 'user';

  constructor(readonly reason: string) {
    super(
      `not a Rune registration string (${reason}); copy the whole string rune add-user printed`,
    );
  }
}

export function encodeRegistration(r: Registration): string {
  return Buffer.from(JSON.stringify({ v: VERSION, ...r }), 'utf8').toString('base64url');
}

export function decodeRegistration(text: string): Registration {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9_-]+$/.test(trimmed)) throw new RegistrationStringError('not base64url');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(trimmed, 'base64url').toString('utf8'));
  } catch {
    throw new RegistrationStringError('its content is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new RegistrationStringError('empty');
  const o = parsed as Record<string, unknown>;
  if (o.v !== VERSION) throw new RegistrationStringError(`unknown version ${String(o.v)}`);
  const text_ = (key: string): string => {
    const value = o[key];
    if (typeof value !== 'string' || value === '') throw new RegistrationStringError(`no ${key}`);
    return value;
  };
  const addresses = o.addresses;
  if (
    !Array.isArray(addresses) ||
    addresses.length === 0 ||
    !addresses.every((a) => typeof a === 'string' && parseAddress(a) !== undefined)
  )
    throw new RegistrationStringError('no API address');
  return {
    controller: text_('controller'),
    id: text_('id'),
    provider: text_('provider') as ProviderKind,
    user: text_('user'),
    addresses: addresses as string[],
    caFingerprint: text_('caFingerprint'),
    secret: text_('secret'),
    expiresAt: text_('expiresAt'),
  };
}

/** `host:port` (IPv6 in brackets) → its parts; undefined when it is not one. */
export function parseAddress(address: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(address);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

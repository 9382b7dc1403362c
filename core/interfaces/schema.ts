// Building blocks for databag schemas: typed string values (PEM, URLs, ports, CIDRs, JSON) with
// the `expect` text errors quote and the `secret` flag that keeps a value out of errors. Pure.
import type { JsonSchema } from '../charm/types.js';

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
const URL = 'https?://[^\\s,]+';

function text(pattern: string, expect: string, secret = false): JsonSchema {
  return secret
    ? { type: 'string', pattern, expect, secret: true }
    : { type: 'string', pattern, expect };
}

/** One or more PEM certificates (a CA may come with its chain). */
export const pemCertificate = (): JsonSchema =>
  text(
    '^\\s*-----BEGIN CERTIFICATE-----\\r?\\n[\\s\\S]+?-----END CERTIFICATE-----\\s*$',
    'a PEM certificate',
  );

/** A PEM private key; never echoed in an error (DESIGN §12). */
export const pemPrivateKey = (): JsonSchema =>
  text(
    '^\\s*-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----\\r?\\n[\\s\\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----\\s*$',
    'a PEM private key',
    true,
  );

export const urlList = (): JsonSchema => text(`^${URL}(?:,${URL})*$`, 'comma-separated URLs');

export const port = (): JsonSchema =>
  text(
    '^(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$',
    'a port number (1-65535)',
  );

export const ipv4Cidr = (): JsonSchema =>
  text(`^${IPV4}/(?:3[0-2]|[12]?[0-9])$`, 'an IPv4 CIDR like 10.1.0.0/16');

/** IPv4 dotted quad, or IPv6 in any of its written forms (loosely: hex digits and colons). */
export const ipAddress = (): JsonSchema =>
  text(`^(?:${IPV4}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$`, 'an IP address');

/** A host name or an address: one word without spaces. */
export const host = (): JsonSchema => text('^\\S+$', 'a host name or address');

export const dnsDomain = (): JsonSchema =>
  text(
    '^[A-Za-z0-9](?:[-A-Za-z0-9]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[-A-Za-z0-9]*[A-Za-z0-9])?)*\\.?$',
    'a DNS domain like cluster.local',
  );

export const word = (expect: string): JsonSchema => text('^\\S+$', expect);

/** Non-empty, one line (names, common names, file names with spaces). */
export const line = (expect: string): JsonSchema => text('^[^\\r\\n]+$', expect);

export const absolutePath = (): JsonSchema => text('^/[^\\r\\n]*$', 'an absolute path');

export const oneOf = (values: readonly string[], expect: string): JsonSchema => ({
  type: 'string',
  enum: [...values],
  expect,
});

export const version = (): JsonSchema =>
  text('^v?[0-9]+(?:\\.[0-9]+)*(?:[-+][0-9A-Za-z.-]+)?$', 'a version like 3.4.5');

/** Any string: keys whose shape Charmed Kubernetes never fixed. */
export const anyString = (expect = 'a string'): JsonSchema => ({ type: 'string', expect });

/** A string holding JSON that `schema` accepts (the `jsonValue` keyword, see registry.ts). */
export const json = (schema: JsonSchema, expect: string, secret = false): JsonSchema =>
  secret
    ? { type: 'string', jsonValue: schema, expect, secret: true }
    : { type: 'string', jsonValue: schema, expect };

export const stringList: JsonSchema = { type: 'array', items: { type: 'string' } };

/** `{name: {…}}` with every entry an object of `entry`'s shape. */
export const mapOf = (entry: JsonSchema): JsonSchema => ({
  type: 'object',
  additionalProperties: entry,
});

export interface BagShape {
  properties?: Record<string, JsonSchema>;
  patternProperties?: Record<string, JsonSchema>;
  /** true: other keys allowed (still strings); false: a key not listed is a problem. */
  additionalProperties: boolean;
}

/** A unit bag: `private-address` is pre-set by Rune in every unit bag, so always allowed. */
export function unitBag(shape: BagShape): JsonSchema {
  return bag({
    ...shape,
    properties: { 'private-address': host(), ...shape.properties },
  });
}

export function appBag(shape: BagShape): JsonSchema {
  return bag(shape);
}

/** A role whose unit and application bags take the same keys (most interfaces' writers). */
export function unitAndAppBags(shape: BagShape): { unit: JsonSchema; app: JsonSchema } {
  return { unit: unitBag(shape), app: appBag(shape) };
}

function bag(shape: BagShape): JsonSchema {
  const schema: JsonSchema = {
    type: 'object',
    properties: shape.properties ?? {},
    additionalProperties: shape.additionalProperties ? anyString() : false,
  };
  if (shape.patternProperties) schema.patternProperties = shape.patternProperties;
  return schema;
}

/** For a role that writes nothing Rune knows of: any keys, string values. */
export const permissiveRole = () => ({
  unit: unitBag({ additionalProperties: true }),
  app: appBag({ additionalProperties: true }),
});

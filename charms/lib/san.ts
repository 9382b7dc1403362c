// Subject alternative names: validation, and the one canonical spelling a SAN is written and
// compared in, so a reissue decision never flips on "2001:DB8::1" versus "2001:db8::1". Shared:
// easyrsa signs with it and requesters check their config with it, so both agree on what is valid.
// Pure string work: no I/O, no node:net (its isIP accepts zone ids a certificate cannot carry).

export type San =
  { type: 'dns'; name: string } | { type: 'ip'; address: string; bytes: readonly number[] };

export type SanParse = { san: San; problem?: undefined } | { san?: undefined; problem: string };

const MAX_HOSTNAME = 253;
const MAX_LABEL = 63;
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** Parses one SAN into its canonical form, or says what is wrong with it (naming the value). */
export function parseSan(raw: string): SanParse {
  const shown = JSON.stringify(raw); // quoted and escaped: the value may hold control characters
  if (raw.trim() === '') return { problem: `subject alternative name ${shown} is empty` };
  if (raw.includes(':')) {
    const bytes = parseIPv6(raw);
    if (bytes === undefined) return { problem: `${shown} is not a valid IPv6 address` };
    return { san: { type: 'ip', address: formatIPv6(bytes), bytes } };
  }
  // All digits and dots can only be meant as an IPv4 address: no top-level domain is numeric
  // (RFC 3696 §2), so "999.1.1.1" is a typo, never a hostname.
  if (/^[0-9.]+$/.test(raw)) {
    const bytes = parseIPv4(raw);
    if (bytes === undefined) return { problem: `${shown} is not a valid IPv4 address` };
    return { san: { type: 'ip', address: bytes.join('.'), bytes } };
  }
  const problem = hostnameProblem(raw.toLowerCase());
  if (problem !== undefined) return { problem: `${shown} is not a valid hostname: ${problem}` };
  return { san: { type: 'dns', name: raw.toLowerCase() } };
}

/** The SAN as stored in a certificate: lower-case hostname, or RFC 5952 IP text. */
export function sanText(san: San): string {
  return san.type === 'dns' ? san.name : san.address;
}

/** What is wrong with a DNS name (lower case, no wildcard), or undefined when it is one. */
export function dnsNameProblem(name: string): string | undefined {
  return hostnameProblem(name, false);
}

function hostnameProblem(name: string, wildcard = true): string | undefined {
  if (name.length > MAX_HOSTNAME) return `longer than ${MAX_HOSTNAME} characters`;
  const labels = name.split('.');
  // A wildcard is only honoured as the whole left-most label (RFC 6125 §6.4.3 as browsers do).
  if (wildcard && labels[0] === '*') {
    labels.shift();
    if (labels.length === 0) return 'a wildcard needs a domain after "*."';
  }
  for (const label of labels) {
    if (label === '') return 'empty label';
    if (label.length > MAX_LABEL) return `label "${label}" is longer than ${MAX_LABEL} characters`;
    if (!LABEL.test(label)) {
      return `label "${label}" must be letters, digits and inner hyphens (RFC 1123)`;
    }
  }
  const last = labels[labels.length - 1] ?? '';
  if (/^[0-9]+$/.test(last)) return 'the last label is all digits';
  return undefined;
}

/** Dotted-quad only; leading zeros are refused because some parsers read them as octal. */
export function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes.push(value);
  }
  return bytes;
}

/** RFC 4291 §2.2 text forms, including "::" and a trailing dotted quad; no zone ids. */
export function parseIPv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = groups(halves[0] ?? '', halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1] ?? '', true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const words = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return words.flatMap((word) => [word >> 8, word & 0xff]);

  // Only the address's last 32 bits may be written as a dotted quad.
  function groups(part: string, last: boolean): number[] | undefined {
    if (part === '') return [];
    const pieces = part.split(':');
    const words: number[] = [];
    for (const [index, piece] of pieces.entries()) {
      if (last && index === pieces.length - 1 && piece.includes('.')) {
        const quad = parseIPv4(piece);
        if (quad === undefined) return undefined;
        words.push(((quad[0] ?? 0) << 8) | (quad[1] ?? 0), ((quad[2] ?? 0) << 8) | (quad[3] ?? 0));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        words.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return words;
  }
}

/** RFC 5952: lower case, no leading zeros, the longest run (two or more) of zero words as "::". */
export function formatIPv6(bytes: readonly number[]): string {
  const words = Array.from(
    { length: 8 },
    (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0),
  );
  // IPv4-mapped addresses keep their dotted quad (RFC 5952 §5).
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${bytes.slice(12, 16).join('.')}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && words[start + length] === 0) length++;
    if (length > bestLength) [bestStart, bestLength] = [start, length];
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLength).join(':');
  return `${left}::${right}`;
}

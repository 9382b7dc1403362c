// The machine commands behind each install source (snap, release archive, attached resource) and
// what their output means. Pure: the strings are built and parsed here, run by binaries.ts, and
// asserted exactly by tests.
import { commandLine, shellQuote } from 'rune/charm';
import { LAST_LINE, excerpt } from './excerpt.js';
import { shScript } from './shell.js';

/** Where binaries from a release archive or a resource go. */
export const BIN_DIR = '/usr/local/bin';

/** Prints `running` when snapd answers on its socket (not merely installed). */
export const SNAPD_PROBE =
  'if [ -S /run/snapd.socket ] && command -v snap >/dev/null 2>&1; then echo running; fi';

export function aptPolicyCommand(pkg: string): string {
  return `apt-cache policy ${shellQuote(pkg)}`;
}

/** apt can install the package (a candidate) or has (`Installed:`) it. */
export function aptHasPackage(policyOutput: string): boolean {
  const field = (name: string) =>
    new RegExp(`^\\s*${name}:\\s*(\\S+)`, 'm').exec(policyOutput)?.[1] ?? '(none)';
  return field('Candidate') !== '(none)' || field('Installed') !== '(none)';
}

// One round trip answers for several packages: the stamp (apt's lists and dpkg's database, whose
// change is the only thing that can change an answer), then, unless the caller already holds
// answers for that stamp ($1), `installed PKG` for each package dpkg has, and `apt-cache policy`
// for the others only: each apt-cache run rebuilds apt's cache from the lists (a second of CPU
// where the pkgcache is off, as on Debian's container images).
const APT_PROBE_SCRIPT = [
  'known=$1; shift',
  'stamp=$(stat -c %Y /var/lib/apt/lists /var/lib/dpkg/status 2>/dev/null | tr "\\n" .)',
  'echo "stamp $stamp"',
  '[ "$stamp" = "$known" ] && exit 0',
  "have=$(dpkg-query -W -f='${Package} ${Status}\\n' \"$@\" 2>/dev/null | awk '/ installed$/ { print $1 }' | tr '\\n' ' ')",
  'rest=',
  'for p in "$@"; do',
  '  case " $have " in *" $p "*) echo "installed $p" ;; *) rest="$rest $p" ;; esac',
  'done',
  '[ -z "$rest" ] || apt-cache policy $rest',
].join('\n');

/** Asks dpkg, then apt, about `pkgs`; nothing but the stamp when it still equals `known`. */
export function aptProbeCommand(known: string, pkgs: readonly string[]): string {
  return shScript(APT_PROBE_SCRIPT, 'rune-apt-probe', [known, ...pkgs]);
}

export interface AptProbeOutput {
  stamp: string;
  /** Package → whether dpkg has it or apt can install it; only the packages asked about. */
  has: Record<string, boolean>;
}

export function parseAptProbe(stdout: string): AptProbeOutput {
  const lines = stdout.split('\n');
  const stamp = /^stamp (.*)$/.exec(lines[0] ?? '')?.[1] ?? '';
  const has: Record<string, boolean> = {};
  // apt-cache policy prints one section per package, each opened by `name:` at column 0.
  let section: { pkg: string; text: string[] } | undefined;
  const close = () => {
    if (section) has[section.pkg] = aptHasPackage(section.text.join('\n'));
  };
  for (const line of lines.slice(1)) {
    const installed = /^installed (\S+)$/.exec(line);
    const opens = /^(\S+):$/.exec(line);
    if (installed?.[1] !== undefined) has[installed[1]] = true;
    else if (opens?.[1] !== undefined) {
      close();
      section = { pkg: opens[1], text: [] };
    } else section?.text.push(line);
  }
  close();
  return { stamp, has };
}

// `snap install` of a snap already installed neither fails nor changes channel: refresh it.
const SNAP_SCRIPT =
  'if snap list "$1" >/dev/null 2>&1; then snap refresh "$1" --channel="$2"; ' +
  'else snap install "$1" --channel="$2" $3; fi';

export function snapCommand(snap: string, channel: string, classic: boolean): string {
  return shScript(SNAP_SCRIPT, 'rune-snap', [snap, channel, classic ? '--classic' : '']);
}

// Exit codes: 2 download failed (try the next source), 3 checksum mismatch, 4 archive without
// the binary (both refused), 5 local failure. The checksum file is `<url>.sha256`, as dl.k8s.io
// publishes it: the hash, optionally followed by the file name.
const FETCH_SCRIPT = [
  'url=$1 dest=$2 member=$3',
  'tmp=$(mktemp -d) || exit 5',
  'trap \'rm -rf "$tmp"\' EXIT',
  'curl -fsSL --connect-timeout 10 --max-time 900 -o "$tmp/download" "$url" || exit 2',
  'curl -fsSL --connect-timeout 10 --max-time 60 -o "$tmp/published" "$url.sha256" || exit 2',
  'want=$(awk \'NR == 1 { print $1 }\' "$tmp/published")',
  'got=$(sha256sum "$tmp/download" | awk \'{ print $1 }\')',
  'if [ "$want" != "$got" ]; then echo "published=$want downloaded=$got"; exit 3; fi',
  'src=$tmp/download',
  'if [ -n "$member" ]; then',
  '  mkdir "$tmp/x" && tar -xzf "$tmp/download" -C "$tmp/x" || exit 4',
  '  src=$(find "$tmp/x" -type f -name "$member" | head -n 1)',
  '  if [ -z "$src" ]; then echo "the archive holds no $member" >&2; exit 4; fi',
  'fi',
  'install -D -m 0755 "$src" "$dest" || exit 5',
  'echo "$got"',
].join('\n');

/** Downloads `url`, checks it against `url.sha256`, installs it (or `member` of the tarball). */
export function fetchCommand(url: string, dest: string, member = ''): string {
  return shScript(FETCH_SCRIPT, 'rune-fetch', [url, dest, member]);
}

export type FetchOutcome =
  | { kind: 'installed'; sha256: string }
  | { kind: 'unreachable'; detail: string }
  | { kind: 'mismatch'; published: string; downloaded: string }
  | { kind: 'bad-archive'; detail: string }
  | { kind: 'failed'; code: number; detail: string };

export function fetchOutcome(code: number, stdout: string, stderr: string): FetchOutcome {
  const detail = excerpt(stderr, { line: LAST_LINE });
  switch (code) {
    case 0:
      return { kind: 'installed', sha256: stdout.trim() };
    case 2:
      return { kind: 'unreachable', detail };
    case 3: {
      const m = /published=(\S*) downloaded=(\S*)/.exec(stdout);
      return { kind: 'mismatch', published: m?.[1] ?? '', downloaded: m?.[2] ?? '' };
    }
    case 4:
      return { kind: 'bad-archive', detail };
    default:
      return { kind: 'failed', code, detail };
  }
}

export function mismatchMessage(
  name: string,
  url: string,
  published: string,
  downloaded: string,
): string {
  return (
    `Refusing ${name} from ${url}: its sha256 is ${downloaded || '(none)'} but ` +
    `${url}.sha256 publishes ${published || '(nothing)'}`
  );
}

/** Installs an attached file as an executable and prints its sha256 (to tell a new revision
 * from the same bytes copied again). */
export function installFileCommand(source: string, dest: string): string {
  return `${commandLine(['install', '-D', '-m', '0755', source, dest])} && ${commandLine(['sha256sum', dest])}`;
}

// The supervisor backend of Services (DESIGN §5), pure: the POSIX sh supervisor Rune installs on
// machines without systemd, the service definition format it reads (base64 values, never eval'd)
// and the parser of its `status` output. No I/O here: services.ts ships and drives these.
import { parseKeyValues } from './key-values.js';
import type { NormalizedSpec, RestartPolicy, ServiceState } from './services.js';

export const SUPERVISOR_PATH = '/usr/local/lib/rune/supervise';
export const DEFINITION_DIR = '/etc/rune/services';

export function definitionPath(name: string): string {
  return `${DEFINITION_DIR}/${name}`;
}

/** Every file the supervisor keeps for a service under /run/rune, for remove(). */
export function runtimeFiles(name: string): string[] {
  return ['supervisor.pid', 'pid', 'restarts', 'exit'].map((f) => `/run/rune/${name}.${f}`);
}

export function logPath(name: string): string {
  return `/var/log/rune/${name}.log`;
}

/** A value `read -r` gives back as it is: printable ASCII, no space at either end. */
const PLAIN = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/**
 * The definition file: one `key value` line per field. A value that may hold spaces at its
 * ends, quotes aside, newlines or any byte but NUL is base64 (`arg`, `env`), which the script
 * decodes with `base64 -d` instead of ever evaluating it; a plain one (`rawarg`, `rawenv`) is
 * written as it is, because decoding costs the script two processes per value and an etcd
 * command line has ~25 of them, on the path of every start. Env entries are sorted so the same
 * spec always encodes the same bytes (install's "changed?" is a byte comparison).
 */
export function encodeDefinition(spec: NormalizedSpec): string {
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const field = (key: string, value: string) =>
    PLAIN.test(value) ? `raw${key} ${value}` : `${key} ${b64(value)}`;
  const lines = [
    `# Rune service ${spec.name}: written by Rune, read by ${SUPERVISOR_PATH}; values are base64, raw* ones plain.`,
    `restart ${spec.restart}`,
  ];
  if (spec.user !== undefined) lines.push(`user ${b64(spec.user)}`);
  if (spec.workingDir !== undefined) lines.push(`workdir ${b64(spec.workingDir)}`);
  for (const [key, value] of spec.env) lines.push(field('env', `${key}=${value}`));
  for (const word of spec.command) lines.push(field('arg', word));
  return `${lines.join('\n')}\n`;
}

export interface DecodedDefinition {
  restart: string;
  user?: string;
  workingDir?: string;
  env: [string, string][];
  command: string[];
}

/** Reads a definition back the way the sh script does; for tests and for operators' tools. */
export function decodeDefinition(text: string): DecodedDefinition {
  const out: DecodedDefinition = { restart: 'no', env: [], command: [] };
  const unb64 = (value: string) => Buffer.from(value, 'base64').toString('utf8');
  for (const line of text.split('\n')) {
    const at = line.indexOf(' ');
    if (line.startsWith('#') || at < 0) continue;
    const key = line.slice(0, at);
    const value = line.slice(at + 1);
    if (key === 'restart') out.restart = value;
    else if (key === 'user') out.user = unb64(value);
    else if (key === 'workdir') out.workingDir = unb64(value);
    else if (key === 'arg') out.command.push(unb64(value));
    else if (key === 'rawarg') out.command.push(value);
    else if (key === 'env' || key === 'rawenv') {
      const pair = key === 'env' ? unb64(value) : value;
      const eq = pair.indexOf('=');
      if (eq > 0) out.env.push([pair.slice(0, eq), pair.slice(eq + 1)]);
    }
  }
  return out;
}

/**
 * `supervise status <name>` prints `key=value` lines: installed=0|1, restart=<policy>, and when
 * they hold, supervisor=<pid> and pid=<pid> (alive, not zombies), restarts=<n>, exit=<code of the
 * child's last exit>.
 */
export function parseSupervisorStatus(name: string, text: string): ServiceState {
  const props = parseKeyValues(text);
  const int = (key: string): number | undefined => props.int(key);
  const supervisor = int('supervisor');
  const pid = int('pid');
  const restarts = int('restarts');
  const exitCode = int('exit');
  const policy = props.get('restart') as RestartPolicy | undefined;
  const base = {
    name,
    ...(pid !== undefined ? { pid } : {}),
    ...(restarts !== undefined ? { restarts } : {}),
  };
  // Between restarts (backoff) the child has no pid, but the supervisor will bring it back.
  if (supervisor !== undefined) return { ...base, state: 'running' };
  // The child outlived a killed supervisor: it runs unsupervised, which a reconcile must fix.
  if (pid !== undefined) return { ...base, state: 'failed' };
  if (props.get('installed') !== '1') return { name, state: 'missing' };
  if (policy === 'no' && exitCode !== undefined && exitCode !== 0) {
    return { ...base, state: 'failed', exitCode };
  }
  return { ...base, state: 'stopped', ...(exitCode !== undefined ? { exitCode } : {}) };
}

/**
 * The supervisor. One process per running service, started by `supervise start` with setsid -f
 * so it has no controlling terminal and is not a child of the SSH session. It writes its own pid
 * and the child's, appends both their output to the service's log, restarts the child per policy
 * with backoff (1 s doubling to 30 s, back to 1 s after the child stayed up 60 s), and on TERM
 * ends the child's process group (TERM, up to 10 s, KILL) before exiting. Liveness checks read
 * /proc and skip zombies, because a machine's init may never reap an orphaned process.
 */
export const SUPERVISOR_SCRIPT = String.raw`#!/bin/sh
# Rune's service supervisor (DESIGN §5), installed by Rune on machines without systemd and
# rewritten whenever its content changes; do not edit. Usage: supervise start|stop|status <name>.
# "supervise run <name>" is the supervisor itself; "start" launches it detached.
set -u
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
self=${SUPERVISOR_PATH}
stop_timeout=10
# Polls for a start or a stop check this often (50 a second): a service ready in 30 ms should
# not cost its hook a tenth of a second, and every member an etcd join starts waits on one.
tick=0.02 ticks_per_s=50

action=${'${1-}'}
name=${'${2-}'}
case $name in
  '' | [!a-z0-9]* | *[!a-z0-9-]*) echo "rune-supervise: bad service name: $name" >&2; exit 2 ;;
esac
def=${DEFINITION_DIR}/$name
spidf=/run/rune/$name.supervisor.pid
pidf=/run/rune/$name.pid
countf=/run/rune/$name.restarts
exitf=/run/rune/$name.exit
logf=/var/log/rune/$name.log

note() { printf '%s rune-supervise: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

# Written aside then renamed, so a reader never sees half a number.
put() { printf '%s\n' "$2" >"$1.new" && mv -f "$1.new" "$1"; }

# n := the number on the first line of file $1, or empty.
num() {
  n=
  { IFS= read -r n <"$1"; } 2>/dev/null
  case $n in '' | *[!0-9]*) n= ;; esac
}

# Is pid $1 alive? Zombies are not. Leaves its stat fields after the command name in s.
alive() {
  s=
  [ -n "$1" ] || return 1
  { read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
  s=${'${s##*) }'}
  case $s in '' | Z* | X*) return 1 ;; esac
  return 0
}

# Is pid $1 this service's supervisor? The command line is checked so a reused pid is not.
is_supervisor() {
  alive "$1" || return 1
  case $(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) in
    *"/supervise run $name ") return 0 ;;
  esac
  return 1
}

# Is pid $1 a service child? Children lead their own session (setsid), so a reused pid rarely is.
is_child() {
  alive "$1" || return 1
  set -- "$1" $s
  [ "${'${5-}'}" = "$1" ]
}

# Does any live process remain in process group $1 (the child and whatever it forked)?
group_alive() {
  g=$1
  for d in /proc/[0-9]*; do
    { read -r t <"$d/stat"; } 2>/dev/null || continue
    set -- ${'${t##*) }'}
    [ "${'${3-}'}" = "$g" ] || continue
    case $1 in Z | X) continue ;; esac
    return 0
  done
  return 1
}

# TERM process group $1 (and pid $1, which may not lead its group yet), wait up to stop_timeout
# seconds for it to empty, then KILL what is left.
end_group() {
  kill -TERM "-$1" "$1" 2>/dev/null
  w=0
  while group_alive "$1" || alive "$1"; do
    if [ "$w" -ge $((stop_timeout * ticks_per_s)) ]; then
      kill -KILL "-$1" "$1" 2>/dev/null
      return 0
    fi
    w=$((w + 1))
    sleep "$tick"
  done
}

# v := base64 text $1 decoded. The trailing dot keeps newlines that $(...) would strip.
dec() {
  v=$(printf '%s' "$1" | base64 -d && echo .) || return 1
  v=${'${v%.}'}
}

# p := the definition's restart policy.
policy() {
  p=no
  while IFS=' ' read -r k v; do [ "$k" != restart ] || p=$v; done <"$def"
}

# Starts the child in the background: a new session (so its process group can be signalled
# whole), as the service's user, in its directory, with its env, stdin from /dev/null. Nothing
# from the definition is exported into this shell or evaluated: env pairs and argv become
# arguments of env(1), whose "--" and leading pairs keep argv[0] from being read as an option.
launch() {
  (
    set --
    user= wd=/
    while IFS=' ' read -r k v; do
      case $k in
        user) dec "$v" || exit 126; user=$v ;;
        workdir) dec "$v" || exit 126; wd=$v ;;
      esac
    done <"$def"
    if [ -n "$user" ]; then
      ent=$(getent passwd "$user") || { note "no such user: $user"; exit 126; }
      IFS=: read -r x x uid gid x home x <<EOF
$ent
EOF
      set -- "HOME=$home" "USER=$user" "LOGNAME=$user"
    fi
    while IFS=' ' read -r k v; do
      case $k in env) dec "$v" || exit 126 ;; rawenv) ;; *) continue ;; esac
      case $v in [A-Za-z_]*=*) ;; *) continue ;; esac
      case ${'${v%%=*}'} in *[!A-Za-z0-9_]*) continue ;; esac
      set -- "$@" "$v"
    done <"$def"
    argc=0
    while IFS=' ' read -r k v; do
      case $k in arg) dec "$v" || exit 126 ;; rawarg) ;; *) continue ;; esac
      set -- "$@" "$v"
      argc=$((argc + 1))
    done <"$def"
    [ "$argc" -gt 0 ] || { note "no command in $def"; exit 126; }
    cd "$wd" || exit 126
    if [ -z "$user" ]; then exec setsid -- env -- "$@"; fi
    if command -v setpriv >/dev/null 2>&1; then
      exec setsid -- setpriv --reuid="$uid" --regid="$gid" --init-groups -- env -- "$@"
    fi
    exec setsid -- su -s /bin/sh -c 'exec "$0" "$@"' -- "$user" env -- "$@"
  ) </dev/null &
}

on_signal() {
  stopping=1
  [ -z "$child" ] || kill -TERM "-$child" "$child" 2>/dev/null
  [ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null
  return 0
}

do_run() {
  num "$spidf"
  if [ -n "$n" ] && [ "$n" != $$ ] && is_supervisor "$n"; then exit 0; fi
  put "$spidf" $$
  stopping=0 child= sleeper= restarts=0 delay=1 code=0
  trap on_signal TERM INT
  put "$countf" 0
  while [ "$stopping" = 0 ] && [ -r "$def" ]; do
    read -r up x </proc/uptime
    started=${'${up%%.*}'}
    launch
    child=$!
    # A TERM that arrived before child was set found nothing to kill.
    [ "$stopping" = 0 ] || kill -TERM "-$child" "$child" 2>/dev/null
    put "$pidf" "$child"
    note "started $name (pid $child)"
    while :; do
      wait "$child"; code=$?
      [ "$stopping" = 0 ] || break
      alive "$child" || break
    done
    if [ "$stopping" = 1 ]; then
      end_group "$child"
      wait "$child" 2>/dev/null
      break
    fi
    pg=$child child=
    rm -f "$pidf"
    put "$exitf" "$code"
    note "$name (pid $pg) exited with status $code"
    end_group "$pg"
    [ "$stopping" = 0 ] || break
    [ -r "$def" ] || break
    policy
    case $p in
      always) ;;
      on-failure) [ "$code" -ne 0 ] || break ;;
      *) break ;;
    esac
    read -r up x </proc/uptime
    [ $((${'${up%%.*}'} - started)) -lt 60 ] || delay=1
    note "restarting $name in $delay s"
    sleep "$delay" &
    sleeper=$!
    wait "$sleeper"
    kill "$sleeper" 2>/dev/null && wait "$sleeper" 2>/dev/null
    sleeper=
    [ "$stopping" = 0 ] || break
    restarts=$((restarts + 1)) delay=$((delay * 2))
    put "$countf" "$restarts"
    [ "$delay" -le 30 ] || delay=30
  done
  if [ "$stopping" = 1 ]; then
    rm -f "$exitf" "$countf"
    note "stopped $name"
  fi
  rm -f "$pidf" "$spidf"
}

do_start() {
  [ -r "$def" ] || { echo "$name is not installed: $def is missing" >&2; exit 3; }
  num "$spidf"
  if is_supervisor "$n"; then exit 0; fi
  # A child that outlived a killed supervisor must not run twice.
  num "$pidf"
  if is_child "$n"; then end_group "$n"; fi
  rm -f "$spidf" "$pidf" "$exitf" "$countf"
  mkdir -p /run/rune /var/log/rune || exit 1
  (umask 027 && : >>"$logf") || exit 1
  setsid -f env -i "PATH=$PATH" /bin/sh "$self" run "$name" </dev/null >>"$logf" 2>&1 || exit 1
  w=0
  while :; do
    num "$pidf"
    [ -z "$n" ] || exit 0
    [ ! -e "$exitf" ] || exit 0
    num "$spidf"
    if [ -n "$n" ] && ! alive "$n"; then exit 0; fi
    if [ "$w" -ge $((10 * ticks_per_s)) ]; then echo "the supervisor of $name did not start within 10 s" >&2; exit 1; fi
    w=$((w + 1))
    sleep "$tick"
  done
}

do_stop() {
  num "$spidf"; sp=$n
  num "$pidf"; cp=$n
  is_supervisor "$sp" || sp=
  is_child "$cp" || cp=
  if [ -n "$sp" ]; then
    kill -TERM "$sp" 2>/dev/null
    w=0
    while is_supervisor "$sp"; do
      if [ "$w" -ge $(((stop_timeout + 5) * ticks_per_s)) ]; then
        kill -KILL "$sp" 2>/dev/null
        break
      fi
      w=$((w + 1))
      sleep "$tick"
    done
  fi
  # Normally gone with its supervisor; a stuck or orphaned child ends here.
  [ -z "$cp" ] || end_group "$cp"
  w=0
  while is_supervisor "$sp" || alive "$cp"; do
    if [ "$w" -ge $((5 * ticks_per_s)) ]; then echo "$name is still running after stop" >&2; exit 1; fi
    w=$((w + 1))
    sleep "$tick"
  done
  rm -f "$spidf" "$pidf" "$exitf" "$countf"
}

do_status() {
  if [ -r "$def" ]; then
    echo installed=1
    policy
    echo "restart=$p"
  else
    echo installed=0
  fi
  num "$spidf"; ! is_supervisor "$n" || echo "supervisor=$n"
  num "$pidf"; ! is_child "$n" || echo "pid=$n"
  num "$countf"; [ -z "$n" ] || echo "restarts=$n"
  num "$exitf"; [ -z "$n" ] || echo "exit=$n"
}

case $action in
  run) do_run ;;
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  *) echo "usage: supervise start|stop|status <name>" >&2; exit 2 ;;
esac
`;

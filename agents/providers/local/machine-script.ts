// The text run inside a new local machine: the shell script that builds its root (overlay with the
// host's private paths hidden, /proc, /dev, /run, identity) and execs tini → sshd with the
// capabilities of boundary.ts, and the machine's sshd_config. Constants only: every value reaches
// the script as a positional argument, never spliced into its text.

/**
 * Runs as PID 1 of the machine's fresh PID namespace, inside its new mount/UTS/IPC namespaces
 * and its network namespace. Arguments:
 *   $1 root (merged overlay mount point)  $2 upper dir  $3 work dir  $4 seed dir (host key,
 *   sshd_config, authorized_keys)  $5 hostname  $6 address  $7 overlay source name  $8 tini
 *   $9 sshd  $10 ip  $11 prefix  $12 gateway  $13 setpriv  $14 bounding set (setpriv syntax)
 *   $15 view (the skeleton upper dir of machine-view.ts: whiteouts and opaque directories that
 *   hide the host's homes, /tmp, Rune homes...).
 * pivot_root + lazy unmount of the old root drops every host mount from the machine's mount
 * namespace, including copies of other machines' /run/netns files that would keep them alive. /root is hidden like any home and
 * starts from /etc/skel: the host's root home holds its keys, credentials and shell start-up
 * files (the host's pyenv start-up hung every ssh command on a machine that inherited it).
 */
export const MACHINE_INIT_SCRIPT = String.raw`set -eu
root=$1 upper=$2 work=$3 seed=$4 name=$5 address=$6 source=$7 tini=$8 sshd=$9 ip=${'${10}'}
prefix=${'${11}'} gateway=${'${12}'} setpriv=${'${13}'} caps=${'${14}'} view=${'${15}'}
# The machine's end of its veth, already named eth0 in this namespace: configured here, in the
# process that starts the machine anyway, rather than by one more ip spawned from the controller.
"$ip" -batch - <<EOF
addr add $address/$prefix dev eth0
link set eth0 up
link set lo up
route add default via $gateway
EOF
cp -a "$view/." "$upper/"
mount -t overlay -o "lowerdir=/,upperdir=$upper,workdir=$work" "$source" "$root"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
mount -t tmpfs -o mode=755,nosuid,size=1m "$source-dev" "$root/dev"
for d in null zero full random urandom tty; do
  : > "$root/dev/$d"
  mount --bind "/dev/$d" "$root/dev/$d"
done
mkdir "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$root/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev "$source-shm" "$root/dev/shm"
ln -s pts/ptmx "$root/dev/ptmx"
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
mount -t tmpfs -o mode=755,nosuid,nodev "$source-run" "$root/run"
mkdir -m 755 "$root/run/sshd" "$root/run/lock"
rm -f "$root"/etc/ssh/ssh_host_*
cp "$seed/ssh_host_ed25519_key" "$seed/ssh_host_ed25519_key.pub" "$seed/sshd_config" "$root/etc/ssh/"
chmod 600 "$root/etc/ssh/ssh_host_ed25519_key"
mkdir -p -m 700 "$root/root"
mkdir -m 700 "$root/root/.ssh"
if [ -d "$root/etc/skel" ]; then cp -a "$root/etc/skel/." "$root/root/"; fi
cp "$seed/authorized_keys" "$root/root/.ssh/authorized_keys"
chmod 600 "$root/root/.ssh/authorized_keys"
printf '%s\n' "$name" > "$root/etc/hostname"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n%s %s\n' "$address" "$name" > "$root/etc/hosts"
printf '%s' "$name" > "$root/proc/sys/kernel/hostname"
# No route leaves a local machine: the host's resolver would make every lookup (apt's first of
# all) wait out its timeouts; with no nameserver, lookups and so apt fail at once.
rm -f "$root/etc/resolv.conf"
printf '# Rune local machine: no DNS (the machine has no route out).\n' > "$root/etc/resolv.conf"
if [ -d "$root/etc/apt/apt.conf.d" ]; then
  printf 'Acquire::Retries "0";\nAcquire::http::Timeout "3";\n' > "$root/etc/apt/apt.conf.d/99rune-local"
fi
# Root on a machine is root on the host's kernel: its global settings and triggers are made
# read-only or masked, as Docker and LXC do, and without CAP_SYS_ADMIN they stay so. The
# machine's own network namespace keeps its settings writable: /proc/sys/net is bound first, so
# the recursive read-only bind of /proc/sys over it carries it along rw. One mount process for
# all of it: each process costs a loaded host ~10 ms.
fstab=$seed/proc.fstab
printf '%s %s none bind 0 0\n' "$root/proc/sys/net" "$root/proc/sys/net" > "$fstab"
for d in sys irq bus fs scsi acpi; do
  if [ -d "$root/proc/$d" ]; then printf '%s %s none rbind,ro 0 0\n' "$root/proc/$d" "$root/proc/$d"; fi
done >> "$fstab"
for f in kcore keys timer_list sched_debug sysrq-trigger; do
  if [ -e "$root/proc/$f" ]; then printf '/dev/null %s none bind 0 0\n' "$root/proc/$f"; fi
done >> "$fstab"
if [ -d "$root/sys/firmware" ]; then
  printf '%s %s tmpfs ro,nosuid,nodev,noexec,size=4k 0 0\n' "$source-firmware" "$root/sys/firmware"
fi >> "$fstab"
mount -a -T "$fstab"
cd "$root"
pivot_root . .
umount -l .
cd /
# sshd is restarted when it exits, as systemd would on a real host (Restart=on-failure):
# \`kill $(cat /run/sshd.pid)\` on a machine must not end the machine with it. setpriv empties
# the bounding set of every capability boundary.ts does not keep: tini, sshd and all they start
# can never hold one again, setuid binaries included.
exec "$setpriv" --bounding-set "$caps" --inh-caps -all -- "$tini" -- /bin/sh -c 'while :; do "$1" -D -e; sleep 0.2; done' rune-sshd-loop "$sshd"
`;

/** The machine's whole sshd_config: its own key only, the controller's key only, no PAM. */
export function sshdConfig(machineName: string): string {
  return [
    `# Written by Rune's local provider for ${machineName}.`,
    'Port 22',
    'ListenAddress 0.0.0.0',
    'HostKey /etc/ssh/ssh_host_ed25519_key',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'AuthorizedKeysFile .ssh/authorized_keys',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    // PAM's session modules (loginuid, systemd) expect a booted host, which a machine is not.
    'UsePAM no',
    'PidFile /run/sshd.pid',
    'PrintMotd no',
    'UseDNS no',
    'AcceptEnv LANG LC_*',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

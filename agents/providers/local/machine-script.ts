// The text run inside a new local machine: the shell script that builds its root (overlay, /proc,
// /dev, /run, identity) and execs tini → sshd, and the machine's sshd_config. Constants only:
// every value reaches the script as a positional argument, never spliced into its text.

/**
 * Runs as PID 1 of the machine's fresh PID namespace, inside its new mount/UTS/IPC namespaces
 * and its network namespace. Arguments:
 *   $1 root (merged overlay mount point)  $2 upper dir  $3 work dir  $4 seed dir (host key,
 *   sshd_config, authorized_keys)  $5 hostname  $6 address  $7 dir to hide (controller state)
 *   $8 overlay source name  $9 tini path  $10 sshd path
 * pivot_root + lazy unmount of the old root drops every host mount from the machine's mount
 * namespace, including copies of other machines' /run/netns files that would keep them alive.
 * /root starts fresh from /etc/skel (a whiteout in the upper dir makes it opaque): the host's
 * root home holds its keys, credentials and shell start-up files, none of which a machine should
 * inherit (the host's pyenv start-up hung every ssh command on a machine that did).
 */
export const MACHINE_INIT_SCRIPT = String.raw`set -eu
root=$1 upper=$2 work=$3 seed=$4 name=$5 address=$6 hide=$7 source=$8 tini=$9 sshd=${'${10}'}
ip=${'${11}'} prefix=${'${12}'} gateway=${'${13}'}
# The machine's end of its veth, already named eth0 in this namespace: configured here, in the
# process that starts the machine anyway, rather than by one more ip spawned from the controller.
"$ip" -batch - <<EOF
addr add $address/$prefix dev eth0
link set eth0 up
link set lo up
route add default via $gateway
EOF
mknod -m 000 "$upper/root" c 0 0
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
if [ -d "$root$hide" ]; then mount -t tmpfs -o ro,mode=700,size=4k "$source-hide" "$root$hide"; fi
rm -f "$root"/etc/ssh/ssh_host_*
cp "$seed/ssh_host_ed25519_key" "$seed/ssh_host_ed25519_key.pub" "$seed/sshd_config" "$root/etc/ssh/"
chmod 600 "$root/etc/ssh/ssh_host_ed25519_key"
mkdir -m 700 "$root/root" "$root/root/.ssh"
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
cd "$root"
pivot_root . .
umount -l .
cd /
# sshd is restarted when it exits, as systemd would on a real host (Restart=on-failure):
# \`kill $(cat /run/sshd.pid)\` on a machine must not end the machine with it.
exec "$tini" -- /bin/sh -c 'while :; do "$1" -D -e; sleep 0.2; done' rune-sshd-loop "$sshd"
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

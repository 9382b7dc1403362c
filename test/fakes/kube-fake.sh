#!/bin/sh
# FAKE Kubernetes binaries for tests on hosts that cannot download the real ones. Install this
# one script under each name (kube-apiserver, kube-controller-manager, kube-scheduler,
# kube-proxy, kubelet, kubectl): it acts by the name it was called as ($0).
#
# What it does: records its argv, one argument per line, to $RUNE_FAKE_LOG_DIR/<name>.args
# (default /var/log/rune-fake/); `--version` prints a fake version; kubectl prints what it was
# asked and exits 0; every other name stays running until SIGTERM or SIGINT, so a supervisor
# sees a running service.
#
# What it does NOT model: any Kubernetes API (nothing listens on 6443, 10250 or any port);
# flag validation (unknown or wrong flags are accepted); reading kubeconfigs, certificates,
# tokens or the kubelet config; scheduling, controllers, nodes, pods or containers; talking
# to etcd or containerd; kube-proxy's iptables rules; kubectl's real output or exit codes
# (drain, cordon and everything else "succeed"); logs beyond the argv file.
name=$(basename "$0")
dir=${RUNE_FAKE_LOG_DIR:-/var/log/rune-fake}
mkdir -p "$dir"
: >"$dir/$name.args"
for arg in "$@"; do
  printf '%s\n' "$arg" >>"$dir/$name.args"
done

case "$1" in
  --version | version)
    echo "Kubernetes v1.21.14-rune-fake"
    exit 0
    ;;
esac

if [ "$name" = kubectl ]; then
  echo "rune-fake kubectl: $*"
  exit 0
fi

child=
trap 'kill "$child" 2>/dev/null; exit 0' TERM INT
while :; do
  # sleep in the background so the trap runs as soon as the signal arrives
  sleep 5 &
  child=$!
  wait "$child"
done

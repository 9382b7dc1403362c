#!/bin/sh
# FAKE flanneld for tests on hosts that cannot download the real one.
#
# What it does: records its argv, one argument per line, to $RUNE_FAKE_LOG_DIR/flanneld.args
# (default /var/log/rune-fake/); writes $RUNE_FAKE_RUN_DIR/subnet.env (default /run/flannel/)
# with FLANNEL_NETWORK (from $FAKE_FLANNEL_NETWORK, default 10.1.0.0/16), FLANNEL_SUBNET
# 10.1.<n>.1/24 where n (1-254) comes from the host name (or $FAKE_FLANNEL_N), FLANNEL_MTU=1450
# and FLANNEL_IPMASQ (true when -ip-masq was given); then stays running until SIGTERM or SIGINT.
#
# What it does NOT model: etcd (it neither reads the network config nor leases a subnet, so
# two hosts may get the same n, and FLANNEL_SUBNET ignores FLANNEL_NETWORK); VXLAN or any
# interface, route or iptables rule; the etcd TLS flags (accepted, never used); lease renewal;
# flanneld's real logs or exit codes.
dir=${RUNE_FAKE_LOG_DIR:-/var/log/rune-fake}
run=${RUNE_FAKE_RUN_DIR:-/run/flannel}
mkdir -p "$dir" "$run"
: >"$dir/flanneld.args"
masq=false
for arg in "$@"; do
  printf '%s\n' "$arg" >>"$dir/flanneld.args"
  case "$arg" in
    -ip-masq | --ip-masq | -ip-masq=true | --ip-masq=true) masq=true ;;
  esac
done

n=${FAKE_FLANNEL_N:-$(($(hostname | cksum | cut -d ' ' -f 1) % 254 + 1))}
cat >"$run/subnet.env.tmp" <<ENV
FLANNEL_NETWORK=${FAKE_FLANNEL_NETWORK:-10.1.0.0/16}
FLANNEL_SUBNET=10.1.$n.1/24
FLANNEL_MTU=1450
FLANNEL_IPMASQ=$masq
ENV
mv "$run/subnet.env.tmp" "$run/subnet.env"

child=
trap 'kill "$child" 2>/dev/null; exit 0' TERM INT
while :; do
  sleep 5 &
  child=$!
  wait "$child"
done

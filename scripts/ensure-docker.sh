#!/usr/bin/env bash
# Makes sure a Docker daemon answers. On a fresh Debian machine (as root) it installs
# docker.io and debootstrap with apt-get and starts dockerd with the flags this machine kind
# needs (no iptables, no default bridge: containers use host networking on loopback or none).
# Says on stderr what it did. When it starts dockerd, it writes the pid to $1 (if given), so
# the caller can stop exactly the daemon it started.
set -euo pipefail
pid_file="${1:-}"
say() { echo "ensure-docker: $*" >&2; }

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    say "missing ${need[*]} and not root: install them (apt-get install -y ${need[*]}) and rerun"
    exit 1
  fi
  say "installing ${need[*]} (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

if docker info >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  say "no Docker daemon answers at ${DOCKER_HOST:-unix:///var/run/docker.sock} and this user cannot start one (not root)"
  exit 1
fi
log="${WARMGATE_DOCKERD_LOG:-/tmp/warmgate-dockerd.log}"
say "no Docker daemon answers: starting dockerd --iptables=false --ip6tables=false --bridge=none (log: $log)"
dockerd --iptables=false --ip6tables=false --bridge=none >"$log" 2>&1 &
pid=$!
[ -n "$pid_file" ] && echo "$pid" >"$pid_file"
for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then
    say "dockerd is up (pid $pid)"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    say "dockerd exited; last lines of $log:"
    tail -n 20 "$log" >&2
    exit 1
  fi
  sleep 0.5
done
say "dockerd did not answer within 60 s; see $log"
exit 1

#!/usr/bin/env bash
# What the Python reference agent's tests need on the host (agent-py/README.md): python3 with
# venv (the tests make the pinned venv from agent-py/requirements.txt on first use) and
# bubblewrap (user-written indicators run in it on the local-process runtime). On a fresh
# Debian machine (as root) installs the missing ones with apt-get; says on stderr what it did.
set -euo pipefail
say() { echo "ensure-python: $*" >&2; }

need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
if [ "${#need[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  say "missing ${need[*]} and not root: install them (apt-get install -y ${need[*]}) and rerun"
  exit 1
fi
say "installing ${need[*]} (apt-get)"
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2

#!/usr/bin/env bash
# Installs the Debian packages the tests drive for real (Chromium for e2e,
# busybox/dash/bash for the agent, OpenSSH and Dropbear servers, Prometheus
# and node_exporter) when they are missing. As root with apt-get it installs
# them; elsewhere it stops and names the exact packages to install.
set -euo pipefail

# command to look for → Debian package that provides it
declare -A needs=(
  [chromium]=chromium
  [busybox]=busybox-static
  [dash]=dash
  [bash]=bash
  [sshd]=openssh-server
  [ssh-keygen]=openssh-client
  [dropbear]=dropbear-bin
  [prometheus]=prometheus
  [promtool]=prometheus
  [prometheus-node-exporter]=prometheus-node-exporter
  [ip]=iproute2
  [timeout]=coreutils
  [df]=coreutils
)

missing=()
for cmd in "${!needs[@]}"; do
  if ! PATH="$PATH:/usr/sbin:/sbin" command -v "$cmd" >/dev/null 2>&1; then
    missing+=("${needs[$cmd]}")
  fi
done
[ -e /usr/lib/openssh/sftp-server ] || missing+=(openssh-sftp-server)
# A CJK font, so the 简体中文 screenshots the e2e suite saves are readable, not boxes.
if ! { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; }; then
  missing+=(fonts-noto-cjk)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing test dependencies: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q "${missing[@]}" >/dev/null
  exit 0
fi
echo "The tests need these Debian packages, which are missing: ${missing[*]}" >&2
echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
exit 1

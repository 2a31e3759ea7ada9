#!/usr/bin/env bash
# Installs the Debian packages the tests drive for real (Chromium for e2e,
# busybox/dash/bash for the agent, OpenSSH and Dropbear servers, Prometheus
# node_exporter, VictoriaMetrics and vmagent, Alertmanager, blackbox_exporter, ping) when they are missing. As root with apt-get it installs
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
  [victoria-metrics]=victoria-metrics
  [vmagent]=victoria-metrics
  [prometheus-alertmanager]=prometheus-alertmanager
  [prometheus-blackbox-exporter]=prometheus-blackbox-exporter
  [ping]=iputils-ping
  [openssl]=openssl
  [ip]=iproute2
  [timeout]=coreutils
  [df]=coreutils
)
# Installed without their recommends (apparmor, needrestart, cgroupfs-mount
# would change how the machine boots or behaves): the container engines the
# container tests start themselves. `docker` alone is not enough —
# a client-only binary may be on PATH — so look for the daemon.
declare -A bare_needs=(
  [dockerd]=docker.io
  [podman]=podman
  [runc]=runc
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
bare_missing=()
for cmd in "${!bare_needs[@]}"; do
  if ! PATH="$PATH:/usr/sbin:/sbin" command -v "$cmd" >/dev/null 2>&1; then
    bare_missing+=("${bare_needs[$cmd]}")
  fi
done
[ ${#missing[@]} -eq 0 ] && [ ${#bare_missing[@]} -eq 0 ] && exit 0

[ ${#missing[@]} -gt 0 ] && mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
[ ${#bare_missing[@]} -gt 0 ] && mapfile -t bare_missing < <(printf '%s\n' "${bare_missing[@]}" | sort -u)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing test dependencies: ${missing[*]} ${bare_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  [ ${#missing[@]} -gt 0 ] && apt-get install -y -q "${missing[@]}" >/dev/null
  # policy-rc.d 101 keeps the packages' maintainer scripts from starting
  # dockerd/containerd as services: the tests start their own, under a temp dir.
  if [ ${#bare_missing[@]} -gt 0 ]; then
    policy=/usr/sbin/policy-rc.d
    made_policy=
    if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; made_policy=1; fi
    apt-get install -y -q --no-install-recommends "${bare_missing[@]}" >/dev/null || { [ -n "$made_policy" ] && rm -f "$policy"; exit 1; }
    [ -n "$made_policy" ] && rm -f "$policy"
  fi
  exit 0
fi
echo "The tests need these Debian packages, which are missing: ${missing[*]} ${bare_missing[*]}" >&2
echo "Install them with: sudo apt-get install -y ${missing[*]}; sudo apt-get install -y --no-install-recommends ${bare_missing[*]}" >&2
exit 1

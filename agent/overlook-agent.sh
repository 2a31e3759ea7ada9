#!/bin/sh
# Overlook agent: prints raw /proc and /sys contents in framed sections and
# nothing else. All parsing happens in the console (main/core/agent), where it
# is tested with fixtures; this script stays small enough to audit at a glance.
#
#   sh overlook-agent.sh once             one sample
#   sh overlook-agent.sh stream SECONDS   a sample every SECONDS until stdout closes
#
# Runs under dash, bash and busybox ash; needs no root. PROC_ROOT, SYS_ROOT and
# ETC_ROOT point it at fixture trees.
#
# Frame (one per sample):
#   @@overlook-agent 1 begin SEQ
#   @@meta KEY VALUE              (arch, clk_tck, page_size, roots, df mode)
#   @@section files               `tail -n +1` output: "==> PATH <==" per file
#   @@section df-gnu | df-posix [+ df-posix-inodes]
#   @@overlook-agent 1 end SEQ
# A fatal condition is one line: @@overlook-agent 1 error MESSAGE
#
# Cost: per sample one `tail` reads every file (including each process's
# stat), plus `sleep` where the shell has no `read -t` (dash), plus
# `timeout df` every ~30 s. Everything else is a shell builtin.
AGENT_VERSION=1

P=${PROC_ROOT:-/proc}
S=${SYS_ROOT:-/sys}
E=${ETC_ROOT:-/etc}
mode=${1:-once}
interval=${2:-5}

case $mode in
  once|stream) ;;
  *) printf '@@overlook-agent %s error usage: overlook-agent.sh once | stream SECONDS\n' "$AGENT_VERSION"; exit 2 ;;
esac
case $interval in
  ''|*[!0-9]*|0) printf '@@overlook-agent %s error interval must be a whole number of seconds >= 1, got "%s"\n' "$AGENT_VERSION" "$interval"; exit 2 ;;
esac

if [ ! -r "$P/stat" ]; then
  printf '@@overlook-agent %s error unsupported os: %s (no readable %s/stat)\n' \
    "$AGENT_VERSION" "$(uname -s 2>/dev/null || echo unknown)" "$P"
  exit 3
fi

# One-time probes (a few forks at start, none per sample).
arch=$(uname -m 2>/dev/null)
# /proc/stat and /proc/PID/stat count in USER_HZ (100 on nearly every
# architecture, 1024 on alpha) and RSS in pages (4 KiB, 16 or 64 KiB on some
# arm64/ppc64 kernels): ask rather than assume.
clk_tck=$(getconf CLK_TCK 2>/dev/null) || clk_tck=
page_size=$(getconf PAGESIZE 2>/dev/null) || page_size=
os_release=$E/os-release
[ -r "$os_release" ] || os_release=/usr/lib/os-release

# GNU df -l never stats remote filesystems (coreutils df.c, filter_mount_list:
# "Avoid stating remote file systems as that may hang") and gives type and
# inodes in one run. Elsewhere (busybox) fall back to POSIX df -kP plus -i, and
# the console joins them with /proc/mounts for the filesystem type.
df_cols=source,fstype,size,used,avail,itotal,iavail,target
if df -l -k --output=$df_cols / >/dev/null 2>&1; then
  df_mode=gnu
else
  df_mode=posix
  df -kPi / >/dev/null 2>&1 && df_inodes=1
fi
# Bound every df run, so a hung local mount (dying disk, stuck FUSE daemon)
# costs one sample's filesystems, not the stream.
guard=
timeout -k 2 5 true >/dev/null 2>&1 && guard='timeout -k 2 5'
# bash and busybox ash can wait with `read -t` on a silent stdin instead of
# forking `sleep`; dash cannot.
read_wait=
(read -t 1 _ovl </dev/null) 2>/dev/null
[ $? -eq 1 ] && read_wait=1

seq=0

# Filesystem usage moves slowly and df is the costliest part of a sample (a
# fork and exec, two with the timeout guard), so its output is kept and re-run
# only every fs_every samples (about every 30 s); each frame still carries
# it, with its age, so frames stay self-contained.
fs_every=$(( (30 + interval - 1) / interval ))
fs_age=$fs_every
fs_out=

emit_filesystems() {
  if [ "$fs_age" -ge "$fs_every" ]; then
    if [ "$df_mode" = gnu ]; then
      fs_out=$($guard df -l -k --output=$df_cols 2>/dev/null)
    elif [ -n "$df_inodes" ]; then
      fs_out=$($guard df -kP 2>/dev/null; printf '@@section df-posix-inodes\n'; $guard df -kPi 2>/dev/null)
    else
      fs_out=$($guard df -kP 2>/dev/null)
    fi
    fs_age=0
  fi
  printf '@@meta fs_age_samples %s\n@@section df-%s\n%s\n' "$fs_age" "$df_mode" "$fs_out" || exit 0
  fs_age=$((fs_age + 1))
}

sample() {
  seq=$((seq + 1))
  printf '@@overlook-agent %s begin %s\n@@meta arch %s\n@@meta clk_tck %s\n@@meta page_size %s\n@@meta proc_root %s\n@@meta sys_root %s\n@@meta df %s\n@@section files\n' \
    "$AGENT_VERSION" "$seq" "$arch" "$clk_tck" "$page_size" "$P" "$S" "$df_mode" || exit 0
  # Globs that match nothing stay literal; tail reports them on stderr and
  # carries on. A process that exits between the glob and the read likewise.
  set -- "$P/stat" "$P/uptime" "$P/loadavg" "$P/meminfo" "$P/diskstats" "$P/net/dev" \
    "$P/sys/kernel/hostname" "$P/sys/kernel/osrelease" "$os_release" \
    "$S"/class/hwmon/hwmon*/name "$S"/class/hwmon/hwmon*/temp*_input "$S"/class/hwmon/hwmon*/temp*_label \
    "$S"/class/hwmon/hwmon*/device/temp*_input "$S"/class/hwmon/hwmon*/device/temp*_label \
    "$S"/class/thermal/thermal_zone*/type "$S"/class/thermal/thermal_zone*/temp
  [ "$df_mode" = posix ] && set -- "$@" "$P/mounts"
  tail -n +1 -- "$@" "$P"/[0-9]*/stat 2>/dev/null
  emit_filesystems
  printf '@@overlook-agent %s end %s\n' "$AGENT_VERSION" "$seq" || exit 0
}

wait_interval() {
  if [ -n "$read_wait" ]; then
    read -t "$interval" _ovl
    # Above 128 is the timeout we asked for. Anything else means stdin is
    # closed or talking: stop relying on it.
    [ $? -gt 128 ] && return 0
    read_wait=
  fi
  sleep "$interval" || exit 0
}

if [ "$mode" = once ]; then
  sample
  exit 0
fi

# Stopped by a signal to its process group, the shell outlives its `sleep`
# or `tail` just long enough to reap it, so no zombie is left to init.
trap 'exit 0' HUP INT TERM
parent=$PPID
while :; do
  sample
  wait_interval
  # Writes to a closed stdout end the loop (SIGPIPE, or the checks above when
  # SIGPIPE is ignored); this also ends it if the parent died but someone
  # else still holds the pipe.
  [ -d "/proc/$parent" ] || exit 0
done

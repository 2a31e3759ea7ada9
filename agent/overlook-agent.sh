#!/bin/sh
# Overlook agent: prints raw /proc and /sys contents in framed sections and
# nothing else. All parsing happens in the console (main/core/agent), where it
# is tested with fixtures; this script stays small enough to audit at a glance.
#
#   sh overlook-agent.sh once             one sample
#   sh overlook-agent.sh stream SECONDS [PROCESS_EVERY [LIMITS_EVERY]]
#                                         a sample every SECONDS until stdout closes
#   sh overlook-agent.sh paced [PROCESS_EVERY [LIMITS_EVERY [IDLE_SECONDS]]]
#                                         a sample per line read on stdin; ends at EOF,
#                                         or after IDLE_SECONDS without a line where
#                                         the shell can wait with a timeout (below)
#
# PROCESS_EVERY (default 1): per-process stats in every Nth sample only (and
# always in the first two, so process CPU has a rate after one interval). In
# paced mode a request line containing the word "processes" asks for them in
# that sample regardless, and a word "net=PID,PID,…" sets the pids whose
# /proc/PID/net/dev every later sample adds (containers' init processes:
# their network namespaces' counters) until the next such word ("net=" for
# none).
#
# Busy hosts: a word "top=PID,PID,…" names the processes the console shows
# (the busiest by CPU and memory; "top=" for none). From then on a sample
# with processes reads only those pids' stat, and every process's only about
# every 60 s of the host's uptime, in the first two samples and when the
# request has the word "processes" ("@@meta processes full" or
# "@@meta processes top PID,PID,…": which pids were asked for, so the console
# can tell one that exited from one not read). On a host with 1,300
# processes a full read opens 1,300 files (~25 ms of kernel time here) and
# sends ~200 KB; the named ones cost a few dozen opens.
#
# Containers: the cgroup files of every container under the usual runtimes'
# paths (Docker, Podman incl. rootless, Kubernetes pods under containerd or
# CRI-O; cgroupfs and systemd drivers; v1, v2 and hybrid) are found with globs
# and ride in the same `tail`, named relative to the cgroup root. OOM kills
# and the freezer state come only on the samples that carry processes
# ("@@meta cgroup_events 1"); limits, the peak and `cgroup.procs` only in the
# first two samples, every LIMITS_EVERY-th (default 4 x PROCESS_EVERY) and
# when a request line has the word "limits" ("@@meta cgroup_limits 1"). Which
# engine sockets exist, and whether this user may open them, is tested with
# builtins (`[ -S ]`, `[ -w ]`) every sample.
#
# Paced mode starts with one line naming this process, so a console that
# lost its connection can end it over the next one (the old SSH session may
# outlive a cut link by hours, until TCP keepalive notices):
#   @@overlook-agent VERSION pid PID STARTTIME
# STARTTIME is field 22 of /proc/PID/stat (clock ticks after boot): with the
# pid it names this process and no later one that reuses the pid. With
# IDLE_SECONDS the agent also gives up by itself when no request comes for
# that long, where the shell has a bounded read (bash, busybox ash: `read
# -t`); dash has none and waits for EOF (or the console's kill).
#
# Runs under dash, bash and busybox ash; needs no root. PROC_ROOT, SYS_ROOT and
# ETC_ROOT point it at fixture trees; OVERLOOK_ENGINE_SOCKET names one more
# engine socket to test.
#
# Frame (one per sample):
#   @@overlook-agent VERSION begin SEQ
#   @@meta KEY VALUE              (arch, clk_tck, page_size, roots, df mode,
#                                  cgroup mode, engine sockets and CLIs, user,
#                                  slow: 1 when the slow-changing files ride along)
#   @@section files               `tail -n +1` format: "==> PATH <==" per file
#                                 (PATH relative to $S/fs/cgroup when it has no
#                                 leading /)
#   @@section df-gnu | df-posix [+ df-posix-inodes]
#   @@overlook-agent VERSION end SEQ
# A fatal condition is one line: @@overlook-agent VERSION error MESSAGE
#
# Cost (bench/agent-cost.mjs): a sample forks one `tail -n +1`, which reads
# every file of it (on the samples that have processes the named processes'
# stat, every process's about once a minute; a second `tail` only after a
# file that failed to read); in stream mode under dash also a `sleep` (bash and busybox ash wait
# with `read -t`, see wait_interval). Filesystems (`timeout df`) are re-read about every 30 s;
# every frame carries the last reading. The files of node_exporter's default
# collectors ride in the same `tail`: what moves every sample, what changes
# only when someone changes it (uname, the host name, os-release, limits,
# mount options, link attributes, which temperature sensors exist) about every
# 30 s, kept by the console in between. Everything
# else is a shell builtin, so in paced mode nothing but this shell runs
# between samples.
AGENT_VERSION=5

P=${PROC_ROOT:-/proc}
S=${SYS_ROOT:-/sys}
E=${ETC_ROOT:-/etc}
# The agent works from inside the cgroup root (below): roots given as
# relative paths are made absolute first.
case $P in /*) ;; *) P=$PWD/$P ;; esac
case $S in /*) ;; *) S=$PWD/$S ;; esac
case $E in /*) ;; *) E=$PWD/$E ;; esac
mode=${1:-once}
interval=1
process_every=1
limits_every=

usage() {
  printf '@@overlook-agent %s error %s\n' "$AGENT_VERSION" "$1"
  exit 2
}
whole() {
  case $2 in
    ''|*[!0-9]*|0) usage "$1 must be a whole number >= 1, got \"$2\"" ;;
  esac
}
case $mode in
  once) ;;
  stream)
    interval=${2:-5}
    case $interval in
      ''|*[!0-9]*|0) usage "interval must be a whole number of seconds >= 1, got \"$interval\"" ;;
    esac
    process_every=${3:-1}; whole PROCESS_EVERY "$process_every"
    limits_every=${4:-$((process_every * 4))}; whole LIMITS_EVERY "$limits_every" ;;
  paced)
    process_every=${2:-1}; whole PROCESS_EVERY "$process_every"
    limits_every=${3:-$((process_every * 4))}; whole LIMITS_EVERY "$limits_every"
    idle=${4:-}; [ -z "$idle" ] || whole IDLE_SECONDS "$idle" ;;
  *) usage 'usage: overlook-agent.sh once | stream SECONDS [PROCESS_EVERY [LIMITS_EVERY]] | paced [PROCESS_EVERY [LIMITS_EVERY [IDLE_SECONDS]]]' ;;
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
# Every running container on overlay2 (Docker, Podman) adds an overlay mount
# and every snap a squashfs one: the console drops both types (filesystems.ts,
# as node_exporter does), so GNU df leaves them out of every frame (-x) rather
# than sending ~100 bytes per container per sample to be thrown away.
df_skip='-x overlay -x squashfs'
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
# Pressure stall information (Linux 4.20+, CONFIG_PSI): the files exist but
# fail to read (EOPNOTSUPP) when it is built in and turned off with psi=0,
# and a read error would stop `tail` (see sample): try once.
psi=
read -r _ovl_psi 2>/dev/null <"$P/pressure/cpu" && psi=1
# bash and busybox ash can wait with `read -t` on a silent stdin instead of
# forking `sleep`; dash cannot.
read_wait=
(read -t 1 _ovl </dev/null) 2>/dev/null
[ $? -eq 1 ] && read_wait=1

# cgroups live at $S/fs/cgroup on every systemd host and wherever
# cgroupfs-mount or a container runtime mounted them. v2 has cgroup.controllers
# at its root; v1 has one directory per controller (cpu and cpuacct are
# sometimes separate hierarchies, sometimes co-mounted as "cpu,cpuacct" with
# symlinks); hybrid adds an empty cgroup2 at unified/.
#
# The agent cds into the cgroup root and names cgroup files relative to it
# (the console reads a path without a leading / as relative to
# $S/fs/cgroup): each file costs `tail` a header line, and a host with 200
# containers has well over a thousand of them.
cg=$S/fs/cgroup
cg_mode=none
cg_cpu= cg_cpuacct= cg_memory= cg_blkio= cg_pids= cg_freezer=
first_dir() {
  for d in "$@"; do [ -d "$d" ] && { printf '%s' "$d"; return 0; }; done
  return 1
}
if [ -d "$cg" ] && cd "$cg" 2>/dev/null; then
  if [ -e cgroup.controllers ]; then
    cg_mode=v2
  else
    cg_cpu=$(first_dir cpu cpu,cpuacct cpuacct,cpu)
    cg_cpuacct=$(first_dir cpuacct cpu,cpuacct cpuacct,cpu)
    cg_memory=$(first_dir memory)
    cg_blkio=$(first_dir blkio)
    cg_pids=$(first_dir pids)
    cg_freezer=$(first_dir freezer)
    if [ -n "$cg_memory$cg_cpuacct" ]; then
      cg_mode=v1
      [ -e unified/cgroup.controllers ] && cg_mode=hybrid
    fi
  fi
fi
# The hierarchy whose directories are globbed for containers, with its slash
# (v1: any one hierarchy lists them; v2: the root itself).
cg_in=
[ "$cg_mode" = v2 ] || cg_in=${cg_memory:-${cg_pids:-$cg_cpuacct}}/
# Container cgroups, relative to a hierarchy's root (main/core/containers/
# containerPaths.ts names each form). Two leading hex digits keep conmon's
# scopes (libpod-conmon-…, crio-conmon-…) out: "co" is not hex.
cg_patterns='docker/[0-9a-f][0-9a-f]*
system.slice/docker-[0-9a-f][0-9a-f]*.scope
libpod_parent/libpod-[0-9a-f][0-9a-f]*
machine.slice/libpod-[0-9a-f][0-9a-f]*.scope
kubepods/pod*/[0-9a-f][0-9a-f]*
kubepods/*/pod*/[0-9a-f][0-9a-f]*
kubepods.slice/kubepods-pod*.slice/cri-containerd-[0-9a-f][0-9a-f]*.scope
kubepods.slice/kubepods-pod*.slice/crio-[0-9a-f][0-9a-f]*.scope
kubepods.slice/kubepods-pod*.slice/docker-[0-9a-f][0-9a-f]*.scope
kubepods.slice/kubepods-*.slice/kubepods-*-pod*.slice/cri-containerd-[0-9a-f][0-9a-f]*.scope
kubepods.slice/kubepods-*.slice/kubepods-*-pod*.slice/crio-[0-9a-f][0-9a-f]*.scope
kubepods.slice/kubepods-*.slice/kubepods-*-pod*.slice/docker-[0-9a-f][0-9a-f]*.scope
user.slice/user-*.slice/user@*.service/user.slice/libpod-[0-9a-f][0-9a-f]*.scope
user.slice/user-*.slice/user@*.service/user.slice/docker-[0-9a-f][0-9a-f]*.scope'
# The top directory of each form, tested before its (costlier) globs.
cg_tops='docker system.slice libpod_parent machine.slice kubepods kubepods.slice user.slice'

# Engine sockets the console may reach (Docker, rootful and rootless Podman,
# rootless Docker); `command -v` is a builtin in dash, bash and busybox ash.
user_id=$(id -u 2>/dev/null) || user_id=
user_name=$(id -un 2>/dev/null) || user_name=
runtime_dir=${XDG_RUNTIME_DIR:-/run/user/$user_id}
# OVERLOOK_ENGINE_SOCKET: a socket the console was told to use, tested first.
engine_sockets="${OVERLOOK_ENGINE_SOCKET:+$OVERLOOK_ENGINE_SOCKET }/var/run/docker.sock /run/podman/podman.sock $runtime_dir/podman/podman.sock $runtime_dir/docker.sock"
engine_cli=
command -v docker >/dev/null 2>&1 && engine_cli=docker
command -v podman >/dev/null 2>&1 && engine_cli="$engine_cli podman"

seq=0
default_ifs=$IFS
nets=
# Filesystem usage moves slowly and df costs forks and execs (three with the
# timeout guard and its command substitution), so its output is kept and
# re-run only about every 30 s of the host's uptime (a builtin read of
# /proc/uptime; without one, every sample): paced mode leaves the interval to
# the console. Each frame still carries it, with its age in samples, so frames
# stay self-contained.
now=0
fs_at=
fs_age=0
fs_out=
# The slow-changing files (see sample): uptime second of their last reading.
slow_at=
sensors=
# Per-process stats: samples since the last that had them.
process_age=$process_every
# The pids named by "top=" (their stat paths, and the word's list), and the
# uptime second of the last full read of every process.
tops=
top_list=
scan_at=
# Container limits, peak and cgroup.procs: samples since the last that had them.
limits_age=${limits_every:-1}

emit_filesystems() {
  if [ -z "$fs_at" ] || [ $((now - fs_at)) -ge 30 ]; then
    if [ "$df_mode" = gnu ]; then
      fs_out=$($guard df -l -k $df_skip --output=$df_cols 2>/dev/null)
    elif [ -n "$df_inodes" ]; then
      fs_out=$($guard df -kP 2>/dev/null; printf '@@section df-posix-inodes\n'; $guard df -kPi 2>/dev/null)
    else
      fs_out=$($guard df -kP 2>/dev/null)
    fi
    fs_at=$now
    fs_age=0
  fi
  printf '@@meta fs_age_samples %s\n@@section df-%s\n%s\n' "$fs_age" "$df_mode" "$fs_out" || exit 0
  fs_age=$((fs_age + 1))
}

sample() {
  request=$1
  seq=$((seq + 1))
  read -r now _ 2>/dev/null <"$P/uptime" || now=
  now=${now%%.*}
  case $now in ''|*[!0-9]*) now=$((seq * 30)) ;; esac
  printf '@@overlook-agent %s begin %s\n@@meta arch %s\n@@meta clk_tck %s\n@@meta page_size %s\n@@meta proc_root %s\n@@meta sys_root %s\n@@meta df %s\n' \
    "$AGENT_VERSION" "$seq" "$arch" "$clk_tck" "$page_size" "$P" "$S" "$df_mode" || exit 0
  # Globs that match nothing stay literal; tail reports them on stderr and
  # carries on. A file that opens but fails to read (EIO or ENODATA from the
  # sensor of a disk in standby, ESRCH from a process that exits between open
  # and read) costs only itself: see read_files.
  # What changes only when someone changes it (uname, the host name,
  # os-release, limits, mount options, the network interfaces' sysfs
  # attributes) on the slow cadence, about every 30 s of the host's uptime
  # like df, in the same `tail`; "@@meta slow 1" marks the frames that carry
  # them and the console keeps them in between. Which temperature sensors
  # exist is found on the same cadence (they appear with hotplug, not every
  # sample), so the globs that list them run then, not every sample, and a
  # glob that matched nothing is not handed to `tail` at all.
  with_slow=
  if [ -z "$slow_at" ] || [ $((now - slow_at)) -ge 30 ]; then
    slow_at=$now
    with_slow=1
    sensors=
    for _ovl_s in "$S"/class/hwmon/hwmon*/name "$S"/class/hwmon/hwmon*/temp*_input "$S"/class/hwmon/hwmon*/temp*_label \
      "$S"/class/hwmon/hwmon*/device/temp*_input "$S"/class/hwmon/hwmon*/device/temp*_label \
      "$S"/class/thermal/thermal_zone*/type "$S"/class/thermal/thermal_zone*/temp; do
      [ -e "$_ovl_s" ] && sensors="$sensors $_ovl_s"
    done
  fi
  set -- "$P/stat" "$P/uptime" "$P/loadavg" "$P/meminfo" "$P/diskstats" "$P/net/dev"
  # Unquoted, so it splits on spaces: SYS_ROOT must have none.
  set -f
  set -- "$@" $sensors
  set +f
  [ "$df_mode" = posix ] && set -- "$@" "$P/mounts"
  # What node_exporter's default collectors read and that moves every sample
  # (vmstat, filefd, entropy, sockstat, netstat, pressure, softnet,
  # conntrack, arp). Files this kernel lacks (no /proc/pressure before 4.20
  # or without CONFIG_PSI, no nf_conntrack module) are simply not printed.
  set -- "$@" "$P/vmstat" "$P/sys/fs/file-nr" "$P/sys/kernel/random/entropy_avail" \
    "$P/net/sockstat" "$P/net/sockstat6" "$P/net/netstat" "$P/net/snmp" "$P/net/snmp6" \
    "$P/net/softnet_stat" "$P/sys/net/netfilter/nf_conntrack_count" "$P/net/arp"
  [ -n "$psi" ] && set -- "$@" "$P/pressure/cpu" "$P/pressure/memory" "$P/pressure/io"
  net_attrs=
  if [ -n "$with_slow" ]; then
    set -- "$@" "$P/sys/kernel/hostname" "$P/sys/kernel/osrelease" "$os_release" \
      "$P/sys/kernel/ostype" "$P/sys/kernel/version" "$P/sys/kernel/domainname" \
      "$P/sys/kernel/random/poolsize" "$P/sys/net/netfilter/nf_conntrack_max"
    [ "$df_mode" = gnu ] && set -- "$@" "$P/mounts"
    for d in "$S"/class/net/*/; do
      [ -d "$d" ] || continue
      set -- "$@" "${d}address" "${d}broadcast" "${d}ifalias" "${d}operstate" "${d}mtu" "${d}tx_queue_len" \
        "${d}carrier_changes" "${d}carrier_up_count" "${d}carrier_down_count" "${d}flags" "${d}type" \
        "${d}ifindex" "${d}iflink" "${d}addr_assign_type" "${d}link_mode" "${d}netdev_group" "${d}dev_id"
      # These fail with EINVAL while the link is down (speed and duplex also
      # on virtual links, name_assign_type when the name's origin is unknown;
      # net/core/net-sysfs.c), and GNU tail stops at the first read error,
      # losing every file after it: read them with the shell's own `read`,
      # which only fails that one, and print them in tail's format.
      for a in carrier dormant speed duplex name_assign_type; do
        _ovl_v=
        read -r _ovl_v 2>/dev/null <"$d$a"
        [ -n "$_ovl_v" ] && net_attrs="$net_attrs==> $d$a <==
$_ovl_v

"
      done
    done
  fi
  # The init pids whose network to read (word "net=PID,PID,…") and the
  # processes to re-read between full reads ("top=PID,PID,…") stay until the
  # next such word: the console sends a list only when it changes, because
  # the shell reads its request line a byte per system call.
  set -f
  for word in $request; do
    case $word in
      net=*[!0-9,]*|top=*[!0-9,]*) ;;
      net=*)
        nets=
        IFS=,
        for pid in ${word#net=}; do [ -n "$pid" ] && nets="$nets $P/$pid/net/dev"; done
        IFS=$default_ifs ;;
      top=*)
        tops=
        top_list=
        IFS=,
        for pid in ${word#top=}; do [ -n "$pid" ] && { tops="$tops $P/$pid/stat"; top_list="$top_list,$pid"; }; done
        IFS=$default_ifs
        top_list=${top_list#,} ;;
    esac
  done
  set +f
  process_age=$((process_age + 1))
  full_scan=
  case $request in *processes*) process_age=$process_every; full_scan=1 ;; esac
  with_processes=
  processes_meta=
  if [ "$seq" -le 2 ] || [ "$process_age" -ge "$process_every" ]; then
    process_age=0
    with_processes=1
    if [ -z "$tops" ] || [ -n "$full_scan" ] || [ "$seq" -le 2 ] || [ -z "$scan_at" ] || [ $((now - scan_at)) -ge 60 ]; then
      set -- "$@" "$P"/[0-9]*/stat
      scan_at=$now
      processes_meta='@@meta processes full
'
    else
      set -f
      set -- "$@" $tops
      set +f
      processes_meta="@@meta processes top $top_list
"
    fi
  fi
  limits_age=$((limits_age + 1))
  case $request in *limits*) limits_age=${limits_every:-1} ;; esac
  with_limits=
  if [ "$seq" -le 2 ] || [ "$limits_age" -ge "${limits_every:-1}" ]; then
    limits_age=0
    with_limits=1
  fi
  # Globs that match nothing stay literal (see above); a container that goes
  # away between the glob and tail's read just leaves its files out. The
  # pattern list itself must not be globbed against the working directory.
  if [ "$cg_mode" != none ]; then
    set -f
    for pat in $cg_patterns; do
      set +f
      [ -d "$cg_in${pat%%/*}" ] || continue
      has_match $cg_in$pat || continue
      # Every sample: what moves (CPU, memory, tasks, I/O). On the samples
      # that carry processes also what changes only on an event (OOM kills,
      # the freezer state), and every few of those what changes only when
      # someone changes it or only upwards (limits, the peak) and
      # cgroup.procs (the init pid); the console carries them in between.
      # Each file costs the kernel an open and read (~11 us on cgroupfs) and
      # this shell a stat in the glob, so every kind left out of the
      # every-sample set saves one of each per container.
      if [ "$cg_mode" = v2 ]; then
        set -- "$@" $pat/cpu.stat $pat/memory.current $pat/memory.stat $pat/pids.current $pat/io.stat
        [ -n "$with_processes" ] && set -- "$@" $pat/memory.events $pat/cgroup.events
        [ -n "$with_limits" ] && set -- "$@" $pat/cpu.max $pat/cpu.weight $pat/memory.max $pat/memory.swap.max \
          $pat/memory.min $pat/memory.peak $pat/pids.max $pat/cgroup.procs $pat/container/cgroup.procs
        # (v2 allows no processes in a cgroup with children: Podman's split
        # layout keeps them in the scope's container/ child.)
      else
        [ -n "$cg_cpuacct" ] && set -- "$@" $cg_cpuacct/$pat/cpuacct.usage
        [ -n "$cg_cpu" ] && set -- "$@" $cg_cpu/$pat/cpu.stat
        [ -n "$cg_memory" ] && set -- "$@" $cg_memory/$pat/memory.usage_in_bytes $cg_memory/$pat/memory.stat
        [ -n "$cg_pids" ] && set -- "$@" $cg_pids/$pat/pids.current
        [ -n "$cg_blkio" ] && set -- "$@" $cg_blkio/$pat/blkio.throttle.io_service_bytes $cg_blkio/$pat/blkio.throttle.io_serviced
        if [ -n "$with_processes" ]; then
          [ -n "$cg_memory" ] && set -- "$@" $cg_memory/$pat/memory.oom_control
          [ -n "$cg_freezer" ] && set -- "$@" $cg_freezer/$pat/freezer.state
        fi
        if [ -n "$with_limits" ]; then
          [ -n "$cg_cpu" ] && set -- "$@" $cg_cpu/$pat/cpu.cfs_quota_us $cg_cpu/$pat/cpu.cfs_period_us $cg_cpu/$pat/cpu.shares
          [ -n "$cg_memory" ] && set -- "$@" $cg_memory/$pat/memory.max_usage_in_bytes $cg_memory/$pat/memory.limit_in_bytes \
            $cg_memory/$pat/memory.memsw.limit_in_bytes $cg_memory/$pat/memory.soft_limit_in_bytes
          [ -n "$cg_pids" ] && set -- "$@" $cg_pids/$pat/pids.max
          set -- "$@" $cg_in$pat/cgroup.procs
        fi
      fi
    done
    set +f
  fi
  # Unquoted, so it splits on spaces: PROC_ROOT must have none.
  set -f
  [ -n "$nets" ] && set -- "$@" $nets
  set +f
  sockets=
  for sock in $engine_sockets; do
    if [ -S "$sock" ]; then
      if [ -w "$sock" ]; then sockets="$sockets $sock=rw"; else sockets="$sockets $sock=denied"; fi
    fi
  done
  printf '@@meta cgroup %s\n@@meta cgroup_limits %s\n@@meta cgroup_events %s\n@@meta engine_sockets%s\n@@meta engine_cli %s\n@@meta user %s %s\n@@meta slow %s\n%s@@section files\n' \
    "$cg_mode" "${with_limits:-0}" "${with_processes:-0}" "$sockets" "$engine_cli" "$user_id" "$user_name" "${with_slow:-0}" "$processes_meta" || exit 0
  read_files "$@"
  [ -n "$net_attrs" ] && { printf '\n%s' "$net_attrs" || exit 0; }
  emit_filesystems
  printf '@@overlook-agent %s end %s\n' "$AGENT_VERSION" "$seq" || exit 0
}

# Prints its files in `tail -n +1` format on fd 3 (this shell's stdout).
# GNU tail exits at the first file that opens but fails to read (coreutils
# tail.c, dump_remainder: "error reading %s" is fatal), which would lose every
# file after it, the processes and containers among them; busybox tail
# carries on. So tail's stderr is kept (in the C locale, where the message and
# its quotes are known) and, after a read error, the read resumes with the
# files after the one it names: one more tail per failing file, none when all
# read. A message naming no file of the list ends it.
read_files() {
  while [ $# -gt 0 ]; do
    _ovl_err=$(LC_ALL=C tail -n +1 -- "$@" 2>&1 >&3) && return 0
    case $_ovl_err in *"error reading '"*) ;; *) return 0 ;; esac
    _ovl_bad=${_ovl_err#*error reading \'}
    _ovl_bad=${_ovl_bad%%\'*}
    _ovl_n=0
    _ovl_found=
    for _ovl_f; do
      _ovl_n=$((_ovl_n + 1))
      [ "$_ovl_f" = "$_ovl_bad" ] && { _ovl_found=1; break; }
    done
    [ -n "$_ovl_found" ] || return 0
    shift $_ovl_n
    # The failed file's header may be followed by part of a line.
    printf '\n' || exit 0
  done
}

# True when the glob it was given matched (an unmatched glob stays literal).
has_match() {
  [ -e "$1" ]
}

# Centiseconds since boot from /proc/uptime ("12345.67 …") into _ovl_cs, with
# builtins only (a command substitution would fork).
uptime_cs() {
  _ovl_cs=0
  read -r _ovl_up _ovl_idle </proc/uptime 2>/dev/null || return 0
  _ovl_cs="${_ovl_up%.*}${_ovl_up#*.}"
}

# The line that names this process (see the header): its pid and its start
# time, from the kernel's /proc (never PROC_ROOT, which may be a fixture), with
# builtins only. A function, so `set --` leaves the script's arguments alone.
announce() {
  _ovl_start=0
  if read -r _ovl_stat </proc/$$/stat 2>/dev/null; then
    # After "PID (COMM) " the fields run from 3 (state); the start time is 22.
    set -- ${_ovl_stat##*) }
    [ $# -ge 20 ] && shift 19 && _ovl_start=$1
  fi
  printf '@@overlook-agent %s pid %s %s\n' "$AGENT_VERSION" "$$" "$_ovl_start" || exit 0
}

wait_interval() {
  if [ -n "$read_wait" ]; then
    uptime_cs
    _ovl_from=$_ovl_cs
    read -t "$interval" _ovl
    _ovl_status=$?
    # bash says a timeout with a status above 128. busybox ash says 1, as for
    # a closed stdin: a wait of most of the interval tells them apart.
    [ $_ovl_status -gt 128 ] && return 0
    if [ $_ovl_status -eq 1 ]; then
      uptime_cs
      [ $((_ovl_cs - _ovl_from)) -ge $((interval * 90)) ] && return 0
    fi
    # Closed or talking stdin: stop relying on it.
    read_wait=
  fi
  sleep "$interval" || exit 0
}

# Stopped by a signal to its process group, the shell outlives its `tail`,
# `df` or `sleep` just long enough to reap it, so no zombie is left to init.
# Writes to a closed stdout end every loop (SIGPIPE, or the `|| exit 0` checks
# when SIGPIPE is ignored).
trap 'exit 0' HUP INT TERM
# read_files writes tail's output here while it reads tail's stderr.
exec 3>&1
parent=$PPID
case $mode in
  once) sample ;;
  stream)
    while :; do
      sample
      wait_interval
      # Also ends it if the parent died but someone else still holds the pipe.
      [ -d "/proc/$parent" ] || exit 0
    done ;;
  paced)
    announce
    # EOF on stdin (the console or its channel is gone) ends it; so does no
    # request for IDLE_SECONDS where `read -t` exists (its timeout status is
    # above 128 in bash and 1 in busybox ash, like EOF: either ends the loop).
    if [ -n "$idle" ] && [ -n "$read_wait" ]; then
      while read -t "$idle" -r request; do sample "$request"; done
    else
      while read -r request; do sample "$request"; done
    fi ;;
esac

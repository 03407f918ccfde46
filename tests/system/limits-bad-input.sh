#!/usr/bin/env bash
# Bad resource flags: Docker's words, exit 125, nothing created.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
ncpu=$(nproc)

bad() {  # MESSAGE ARGS...
  local msg=$1
  shift
  run_split sk run --rm "$@" "$img" true
  assert_eq "$status" 125 "run $*: exit status"
  assert_eq "$(printf '%s\n' "$stderr" | head -1)" "Error: $msg" "run $*: message"
}
bad "invalid argument \"abc\" for \"-m, --memory\" flag: invalid size: 'abc'" -m abc
bad "invalid argument \"-5m\" for \"-m, --memory\" flag: invalid size: '-5m'" --memory=-5m
bad "Minimum memory limit allowed is 6MB" -m 1m
bad "Minimum memory reservation allowed is 6MB" --memory-reservation 1k
bad "Minimum memory limit can not be less than memory reservation limit, see usage" -m 10m --memory-reservation 20m
bad "You should always set the Memory limit when using Memoryswap limit, see usage" --memory-swap 10m
bad "Minimum memoryswap limit should be larger than memory limit, see usage" -m 20m --memory-swap 10m
bad "Invalid value: 200, valid memory swappiness range is 0-100" --memory-swappiness 200
bad "Range of CPUs is from 0.01 to $ncpu.00, as there are only $ncpu CPUs available" --cpus $((ncpu + 1))
bad "Range of CPUs is from 0.01 to $ncpu.00, as there are only $ncpu CPUs available" --cpus=-1
bad "invalid argument \"abc\" for \"--cpus\" flag: failed to parse abc as a rational number" --cpus abc
bad "Conflicting options: Nano CPUs and CPU Period cannot both be set" --cpus 0.5 --cpu-period 100000
bad "Conflicting options: Nano CPUs and CPU Quota cannot both be set" --cpus 0.5 --cpu-quota 50000
bad "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)" --cpu-period 10
bad "CPU cfs quota can not be less than 1ms (i.e. 1000)" --cpu-quota 10
bad "Requested CPUs are not available - requested 64, available: $(cat /sys/devices/system/cpu/online)" --cpuset-cpus 64
bad "Invalid value x for cpuset cpus" --cpuset-cpus x
bad "Invalid value 5- for cpuset mems" --cpuset-mems 5-
bad "invalid argument \"x\" for \"--pids-limit\" flag: strconv.ParseInt: parsing \"x\": invalid syntax" --pids-limit x
bad "Range of blkio weight is from 10 to 1000" --blkio-weight 5
bad "Invalid value 2000, range for oom score adj is [-1000, 1000]" --oom-score-adj 2000
bad "error gathering device information while adding custom device \"/dev/nope\": no such file or directory" --device /dev/nope
bad "invalid device cgroup format 'bad'" --device-cgroup-rule bad
bad "--cgroupns: invalid CGROUP mode" --cgroupns foo
bad "invalid --cgroups mode \"bogus\": use enabled, disabled, no-conmon or split" --cgroups bogus
bad "resource limits need a cgroup: they cannot be used with --cgroups=disabled" --cgroups disabled -m 10m
bad "invalid argument \"-1\" for \"--shm-size\" flag: invalid size: '-1'" --shm-size -1
bad "invalid --cgroup-parent \"a/../b\": it must not contain \".\" or \"..\"" --cgroup-parent a/../b
assert_eq "$(sk ps -aq)" "" "nothing created"
# --memory=0 is unlimited, --cpus 0 is no limit, and --cgroups=disabled runs without a cgroup.
assert_success sk run --rm --memory=0 --cpus 0 "$img" true
assert_success sk run --rm --cgroups=disabled "$img" true
# --cgroup-manager: cgroupfs; systemd only where it is PID 1 (not on these hosts).
if [ "$(cat /proc/1/comm)" != systemd ]; then
  run_split sk --cgroup-manager systemd ps
  assert_eq "$status:$stderr" "125:Error: the systemd cgroup manager needs systemd as PID 1, which this system does not run: use --cgroup-manager=cgroupfs"
fi
run_split sk --cgroup-manager bogus ps
assert_eq "$status:$stderr" "125:Error: invalid cgroup manager \"bogus\": use cgroupfs or systemd"
assert_success sk --cgroup-manager cgroupfs ps
# info: the cgroup version, manager and what a container gets here.
if [ "$(id -u)" = 0 ]; then
  assert_match "$(sk info --format '{{.CgroupDriver}} {{.Host.Cgroups.PerContainer}} {{json .Host.Cgroups.Controllers}}')" '^cgroupfs true \[.*"memory".*\]$'
else
  assert_eq "$(sk info --format '{{.Host.Cgroups.PerContainer}} {{.Host.Cgroups.Reason}}')" \
    "false Resource limits are not supported and ignored on cgroups V1 rootless systems"
fi
assert_match "$(sk info | sed -n '/^Cgroups:/,/^Helpers:/p' | sed -n 2p)" '^ Version: +v[12]'

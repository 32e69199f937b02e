#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, from Debian's slurm-wlm and munge, for `make test-slurm`.
#   .ci/slurm.sh start   install (once), configure and start munged, slurmctld and slurmd; wait for the node
#   .ci/slurm.sh stop    cancel every job and stop the daemons
# Idempotent; needs root (as CI and the developers' machines run). The cluster: one node named after this host with
# all its CPUs, one partition `debug` (the default), no accounting, processes tracked by /proc (no cgroups needed).
set -euo pipefail
as_root=$([ "$(id -u)" -eq 0 ] || echo sudo)
host=$(hostname -s)
running() { ps -C "$1" -o stat= 2>/dev/null | grep -qv '^Z'; }  # a daemon that is alive (not a zombie left unreaped)

start() {
  if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
    $as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq slurm-wlm munge >/dev/null
  fi
  $as_root mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge /etc/munge
  if [ ! -s /etc/munge/munge.key ]; then
    $as_root dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  $as_root chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
  $as_root chmod 400 /etc/munge/munge.key
  running munged || $as_root runuser -u munge -- /usr/sbin/munged
  $as_root tee /etc/slurm/slurm.conf >/dev/null <<CONF
ClusterName=posttrain
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MinJobAge=3600
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  running slurmctld || $as_root slurmctld
  running slurmd || $as_root slurmd
  for _ in $(seq 60); do
    state=$(timeout 5 sinfo -h -n "$host" -o %T 2>/dev/null || true)
    case "$state" in
      idle*|mixed*|alloc*) echo "slurm: node $host $state"; return 0 ;;
      down*|drain*) $as_root scontrol update nodename="$host" state=resume 2>/dev/null || true ;;
    esac
    sleep 1
  done
  echo "slurm: node $host did not come up (state: ${state:-none}); see /var/log/slurm/" >&2
  return 1
}

stop() {
  command -v scancel >/dev/null && timeout 10 $as_root scancel --user="$(id -un)" 2>/dev/null || true
  for daemon in slurmd slurmctld munged; do
    $as_root pkill -x "$daemon" 2>/dev/null || true
    for _ in $(seq 20); do running "$daemon" || break; sleep 0.5; done
  done
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac

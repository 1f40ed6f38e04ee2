#!/usr/bin/env bash
# A real Slurm test on this one machine (Debian 12, root, no systemd): starts a private one-node cluster
# (munged, slurmctld, slurmd on their own socket, ports and folders), then through submit.sh:
#   1. a bad experiment file fails before anything is queued (exit 2);
#   2. experiments/quick.json (2 epochs, seed 1) as a 2-task array plus the dependent merge job; the
#      merged epochs.csv must equal an unsharded run's at the same torch thread count (1), timings aside;
#   3. the same into a new folder, with the SGAN task cancelled (scancel) inside its second epoch; the
#      merge job must then be dropped; resubmitting must resume the task from its checkpoint and merge
#      to the same rows again.
# Every daemon it started is stopped by its pid on exit. Accounting is off here, so task states come
# from scontrol, not sacct.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
say() { echo "slurm-test: $*"; }
fail() { echo "slurm-test: FAIL: $*" >&2; exit 1; }

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi
say "building semigan"
dotnet build -c Release src/SemiGan.Cli -nologo -v q >/dev/null
semigan=$repo/src/SemiGan.Cli/bin/Release/net10.0/semigan
"$semigan" data fetch >/dev/null

work=$(mktemp -d /tmp/semigan-slurm.XXXXXX)
chmod 755 "$work" # munged runs as user munge and must reach its folder
export SLURM_CONF=$work/slurm.conf
pids=()

stop_all() {
  local status=$?
  set +e
  if [ -S "$work/munge/munge.socket" ] && [ -f "$work/slurmctld.pid" ]; then
    scancel --quiet --full --partition=test 2>/dev/null
    for _ in $(seq 1 30); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 1; done
  fi
  for f in slurmd.pid slurmctld.pid munge/munged.pid; do
    [ -f "$work/$f" ] || continue
    pid=$(cat "$work/$f")
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    pids+=("$pid")
  done
  local left=()
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left+=("$pid"); done
  if [ ${#left[@]} -gt 0 ]; then echo "slurm-test: FAIL: still running: ${left[*]}" >&2; status=1
  else say "daemons stopped (pids ${pids[*]:-none}); nothing left running"; fi
  if [ "$status" = 0 ]; then rm -rf "$work"
  else
    echo "slurm-test: logs kept in $work; their tails:" >&2
    tail -n 15 "$work"/*.log "$work"/r*/slurm/* >&2 2>/dev/null
  fi
  exit "$status"
}
trap stop_all EXIT

# --- munge: a fresh key and its own socket, so a system munged (if any) is neither used nor disturbed.
mkdir -p "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chown -R munge:munge "$work/munge"
chmod 755 "$work/munge" # munged wants its socket folder reachable by all, writable by it alone
chmod 400 "$work/munge/munge.key"
runuser -u munge -- munged --socket="$work/munge/munge.socket" --key-file="$work/munge/munge.key" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed"

# --- slurm: one node (this machine, one CPU per task), a partition "test", no accounting.
host=$(hostname -s)
cpus=$(nproc)
mkdir -p "$work/state" "$work/spool"
cat >"$SLURM_CONF" <<CONF
ClusterName=semigan-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
# Keep ended jobs visible to scontrol for the state checks below.
MinJobAge=3600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld
slurmd
for _ in $(seq 1 60); do
  state=$(sinfo -h -N -o '%T' 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 1
done
[ "$state" = idle ] || fail "node not idle after 60 s (sinfo: '$state')"
say "cluster up: $(sinfo -h -N -o '%N %P %c CPUs %T')"

# Ends when every record of the job (each array task) has ended, or fails after $2 seconds.
wait_ended() {
  local job=$1 limit=$2 states
  for _ in $(seq 1 "$limit"); do
    states=$(scontrol -o show job "$job" | grep -o 'JobState=[A-Z_]*' | sort -u)
    grep -qE 'PENDING|RUNNING|CONFIGURING|COMPLETING|REQUEUED|SUSPENDED' <<<"$states" || return 0
    sleep 1
  done
  fail "job $job not ended after $limit s: $states"
}
# "task <id>: <state> exit <code>" for each task of an array job.
task_states() {
  scontrol -o show job "$1" | sed -n 's/.*ArrayTaskId=\([0-9-]*\) .*JobState=\([A-Z_]*\) .*ExitCode=\([0-9:]*\).*/task \2 \1 \3/p' |
    awk '{print "  task " $3 ": " $2 ", exit " $4}' | sort -k2,2n
}
job_state() { scontrol -o show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n1 | cut -d= -f2; }
submit() { deploy/slurm/submit.sh experiments/quick.json --tasks 2 --partition test --epochs 2 --seeds 1 --data "$repo/data/mnist" "$@"; }
# epochs.csv without its timing column, for comparing runs (the CSV has CRLF line ends; no such column fails).
untimed() { # blanks the timing columns: epoch_seconds and finished_utc (when the row was written)
  tr -d '\r' <"$1" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "epoch_seconds") c = i; if ($i == "finished_utc") f = i }; if (!c) exit 1 }
    { $c = ""; if (f) $f = ""; print }' OFS=, ||
    fail "$1: no epoch_seconds column"
}

# --- 1. A bad experiment is refused before anything is queued.
printf '{ "name": "bad", "labels": 100, "seeds": [1], "epochs": 1, "head": "sigmoid" }\n' >"$work/bad.json"
status=0
deploy/slurm/submit.sh "$work/bad.json" --partition test 2>"$work/bad.err" >/dev/null || status=$?
[ "$status" = 2 ] || fail "bad experiment: submit.sh exited $status, expected 2"
[ "$(wc -l <"$work/bad.err")" = 1 ] || fail "bad experiment: expected one line, got: $(cat "$work/bad.err")"
[ -z "$(squeue -h)" ] || fail "bad experiment: something was queued: $(squeue -h)"
say "bad experiment: exit 2, nothing queued: $(cat "$work/bad.err")"

# --- The reference: one unsharded process at 1 torch thread, as each task runs.
say "unsharded reference run (1 thread)"
OMP_NUM_THREADS=1 "$semigan" run experiments/quick.json --epochs 2 --seeds 1 --threads 1 --device cpu \
  --out "$work/unsharded" --data "$repo/data/mnist" >"$work/unsharded.log" 2>&1 || fail "unsharded run failed: $(tail -n 5 "$work/unsharded.log")"
untimed "$work/unsharded/epochs.csv" >"$work/expected.csv"
rows=$(awk -F, 'NR > 1 && $2 == "quick"' "$work/expected.csv" | wc -l) # column 2: experiment (column 1 is run_id)
[ "$rows" = 4 ] || fail "unsharded run wrote $rows rows, expected 4 (2 methods x 2 epochs)"

# Compares a merged folder with the reference and prints the test accuracies.
check_merged() {
  [ -f "$1/report.md" ] || fail "$1/report.md missing"
  untimed "$1/epochs.csv" >"$work/actual.csv"
  diff "$work/expected.csv" "$work/actual.csv" >&2 || fail "$1/epochs.csv differs from the unsharded run's"
  say "merged rows equal the unsharded run's (every column but epoch_seconds and finished_utc): $rows rows; test accuracy per epoch (method,epoch,accuracy):" \
    "$(tr -d '\r' <"$1/epochs.csv" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        { printf "%s%s,%s,%s", sep, $col["method"], $col["epoch"], $col["test_accuracy"]; sep = "; " }')"
}

# --- 2. Array plus dependent merge job.
submit --out "$work/r1" | tee "$work/submit1.txt"
array=$(sed -n 's/^array job \([0-9]*\):.*/\1/p' "$work/submit1.txt")
merge=$(sed -n 's/^merge job \([0-9]*\):.*/\1/p' "$work/submit1.txt")
[ -n "$array" ] && [ -n "$merge" ] || fail "no job ids in submit.sh's output"
wait_ended "$merge" 600
say "array job $array:"; task_states "$array"
say "merge job $merge: $(job_state "$merge")"
[ "$(job_state "$merge")" = COMPLETED ] || fail "merge job $merge did not complete"
check_merged "$work/r1"

# --- 3. Cancel the SGAN task inside its second epoch, then resubmit.
submit --out "$work/r2" | tee "$work/submit2.txt"
array=$(sed -n 's/^array job \([0-9]*\):.*/\1/p' "$work/submit2.txt")
merge=$(sed -n 's/^merge job \([0-9]*\):.*/\1/p' "$work/submit2.txt")
# The cancel comes once epoch 1's checkpoint is published (after its CSV row), inside epoch 2.
checkpoint=""
for _ in $(seq 1 600); do
  checkpoint=$(ls "$work"/r2/shards/*/checkpoints/sgan-*/latest.json 2>/dev/null | head -n1 || true)
  [ -n "$checkpoint" ] && break
  sleep 0.5
done
[ -n "$checkpoint" ] || fail "the SGAN task never checkpointed its first epoch"
shard=${checkpoint#"$work"/r2/shards/}; shard=${shard%%/*}
task=$((shard - 1))
scancel "${array}_${task}"
say "scancel ${array}_${task} (shard $shard) after the checkpoint of its epoch 1 of 2"
wait_ended "$array" 300
say "array job $array:"; task_states "$array"
[ "$(scontrol -o show job "${array}_${task}" | grep -o 'JobState=[A-Z_]*')" = JobState=CANCELLED ] || fail "task $task was not cancelled"
! grep -q '^sgan' "$work/r2/shards/$shard/runs.csv" 2>/dev/null || fail "the SGAN run had already ended: the cancel tested nothing"
for _ in $(seq 1 30); do [ "$(job_state "$merge")" = CANCELLED ] && break; sleep 1; done
[ "$(job_state "$merge")" = CANCELLED ] || fail "merge job $merge is $(job_state "$merge"), expected CANCELLED (its dependency failed)"
say "merge job $merge: CANCELLED (--kill-on-invalid-dep: a task did not end well)"

submit --out "$work/r2" | tee "$work/submit3.txt"
array=$(sed -n 's/^array job \([0-9]*\):.*/\1/p' "$work/submit3.txt")
merge=$(sed -n 's/^merge job \([0-9]*\):.*/\1/p' "$work/submit3.txt")
wait_ended "$merge" 600
say "resubmitted array job $array:"; task_states "$array"
say "merge job $merge: $(job_state "$merge")"
[ "$(job_state "$merge")" = COMPLETED ] || fail "merge job $merge did not complete after resubmission"
grep -h 'resumed after epoch 1' "$work"/r2/slurm/"${array}"_*.out >/dev/null || fail "the resubmitted task did not resume from its checkpoint"
say "resubmitted task resumed: $(grep -h 'resumed after epoch' "$work"/r2/slurm/"${array}"_*.out)"
check_merged "$work/r2"
say "passed in ${SECONDS} s"

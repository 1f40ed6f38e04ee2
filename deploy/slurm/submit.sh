#!/usr/bin/env bash
# Submits an experiment to Slurm: an array of shard tasks plus a merge-and-report job that runs once
# every task ended well. Re-running the same command resumes (finished shards are skipped, unfinished
# runs continue from their checkpoints). Nothing is queued unless the experiment file is valid.
#
#   deploy/slurm/submit.sh <experiment.json> [--tasks N] [--partition P] [--gpu] [--out DIR]
#                          [--epochs N] [--seeds 1,2,3] [--data DIR] [other sbatch options, e.g. --time=4:00:00]
#
# --tasks defaults to one task per run of the grid; with fewer, task k takes every N-th run, and as the
# grid alternates SGAN and baseline runs, an odd N mixes them evenly. Each task gets Slurm's default CPU count unless an
# sbatch --cpus-per-task is passed; torch uses that many threads. --gpu asks for --gres=gpu:1 and runs
# on --device cuda (untested: no GPU cluster was at hand). The repository and --out must be on a
# filesystem the compute nodes share.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
usage() { echo "submit.sh: $1 (usage: submit.sh <experiment.json> [--tasks N] [--partition P] [--gpu] [--out DIR] [--epochs N] [--seeds LIST] [--data DIR] [sbatch options])" >&2; exit 2; }

[ $# -ge 1 ] && [[ $1 != -* ]] || usage "name the experiment file first"
experiment=$1; shift
tasks="" out="" gpu=0 data=""
overrides=() common=()
while [ $# -gt 0 ]; do
  case $1 in
    --tasks) [ $# -ge 2 ] || usage "--tasks needs a number"; tasks=$2; shift 2 ;;
    --partition) [ $# -ge 2 ] || usage "--partition needs a name"; common+=("--partition=$2"); shift 2 ;;
    --out) [ $# -ge 2 ] || usage "--out needs a folder"; out=$2; shift 2 ;;
    --data) [ $# -ge 2 ] || usage "--data needs a folder"; data=$2; shift 2 ;;
    --epochs | --seeds) [ $# -ge 2 ] || usage "$1 needs a value"; overrides+=("$1" "$2"); shift 2 ;;
    --gpu) gpu=1; shift ;;
    -*) # any other option goes to sbatch for both jobs, with its value if one follows
      common+=("$1"); shift
      if [[ ${common[-1]} != *=* ]] && [ $# -gt 0 ] && [[ $1 != -* ]]; then common+=("$1"); shift; fi ;;
    *) usage "unexpected argument '$1'" ;;
  esac
done
[ -z "$tasks" ] || [[ $tasks =~ ^[1-9][0-9]*$ ]] || usage "--tasks: '$tasks' must be a positive integer"
command -v sbatch >/dev/null || { echo "submit.sh: sbatch not found; run this on a Slurm login node." >&2; exit 1; }

semigan=${SEMIGAN:-$repo/src/SemiGan.Cli/bin/Release/net10.0/semigan}
if [ ! -x "$semigan" ]; then
  echo "building semigan (dotnet build -c Release)..."
  dotnet build -c Release "$repo/src/SemiGan.Cli" -nologo -v q >/dev/null
fi

# Validate before anything is queued: a bad file stops here with semigan's one line and exit 2.
status=0
summary=$("$semigan" validate "$experiment" "${overrides[@]}") || status=$?
[ "$status" = 0 ] || exit "$status"
name=${summary%%: valid*}
runs=$(sed -n 's/^.*: valid; \([0-9]*\) runs.*/\1/p' <<<"$summary")
tasks=${tasks:-$runs}
if [ "$tasks" -gt "$runs" ]; then tasks=$runs; fi
out=$(realpath -m "${out:-results/$name}")

# The tasks read a copy, so editing the file while jobs wait in the queue changes nothing.
mkdir -p "$out/slurm"
[ "$(realpath "$experiment")" = "$out/experiment.json" ] || cp "$experiment" "$out/experiment.json"
# Fetched here (login nodes usually have the network) and verified again by every task.
# The experiment's dataset, into data/<dataset> unless --data says otherwise ($SEMIGAN_DATA names MNIST's folder).
dataset=$(sed -n 's/^.*(dataset \([a-z0-9-]*\),.*/\1/p' <<<"$summary")
if [ -z "$data" ]; then
  if [ "$dataset" = mnist ] && [ -n "${SEMIGAN_DATA:-}" ]; then data=$SEMIGAN_DATA; else data=$PWD/data/$dataset; fi
fi
data=$(realpath -m "$data")
"$semigan" data fetch --dataset "$dataset" --dir "$data" >/dev/null

run_args=(--data "$data" "${overrides[@]}")
array_opts=()
if [ "$gpu" = 1 ]; then array_opts+=(--gres=gpu:1); run_args+=(--device cuda); else run_args+=(--device cpu); fi

array=$(sbatch --parsable --job-name="semigan-$name" --array="0-$((tasks - 1))" --output="$out/slurm/%A_%a.out" \
  "${array_opts[@]}" "${common[@]}" "$here/shard.sbatch" "$semigan" "$out/experiment.json" "$out" "$tasks" "${run_args[@]}")
array=${array%%;*}
# --kill-on-invalid-dep: if a task fails or is cancelled the merge job is removed instead of waiting forever.
if ! merge=$(sbatch --parsable --job-name="semigan-$name-merge" --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --output="$out/slurm/merge_%j.out" "${common[@]}" "$here/merge.sbatch" "$semigan" "$out" "$tasks"); then
  scancel "$array"
  echo "submit.sh: submitting the merge job failed; cancelled array job $array." >&2
  exit 1
fi
merge=${merge%%;*}

echo "$summary"
echo "array job $array: $tasks tasks (shards in $out/shards)"
echo "merge job $merge: merge and report into $out after the array ends well"
echo "watch:  squeue -j $array,$merge    sacct -j $array,$merge (needs accounting; otherwise scontrol show job $array)"
echo "logs:   $out/slurm/"
echo "resume: run this same command again; finished shards are skipped and unfinished runs continue from their checkpoints"

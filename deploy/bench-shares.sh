#!/usr/bin/env bash
# Throughput of runs that share one machine, measured in one sitting against a lone run (not a unit test:
# timings depend on the machine). Each run is experiments/quick.json's SGAN alone (1 seed, 3 epochs, 12k
# images); the figure is its mean training seconds per epoch (epochs.csv), and its CPU use is
# (user + sys) / wall time of the whole process, start-up included.
#
#   deploy/bench-shares.sh [max runs at once, default 3] [extra semigan run options...]
#
# Prints, per setting, each run's seconds per epoch, its share of a lone run's throughput, and its CPU use.
# Set OMP_WAIT_POLICY yourself to compare wait policies (semigan leaves it unset by default), and SEMIGAN to the
# path of another build's semigan executable to compare builds in the same sitting.
set -euo pipefail
cd "$(dirname "$0")/.."
max=${1:-3}; shift || true
semigan=${SEMIGAN:-src/SemiGan.Cli/bin/Release/net10.0/semigan}
[ -n "${SEMIGAN:-}" ] || dotnet build src/SemiGan.Cli -c Release -v q -nologo >/dev/null
"$semigan" data fetch >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# one <folder>: a quick SGAN run; writes <folder>.time as "wall user sys" (bash's time keyword)
one() {
  local out=$1; shift
  { TIMEFORMAT='%R %U %S'; time "$semigan" run experiments/quick.json --seeds 1 --epochs 3 --set 'methods=[sgan]' \
      --out "$out" "$@" >"$out.log" 2>&1; } 2>"$out.time"
}
# epoch seconds: mean of epochs.csv's epoch_seconds column
spe() { awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="epoch_seconds") c=i; next} {s+=$c; n++} END{printf "%.2f", s/n}' "$1/epochs.csv"; }
cpu() { awk '{printf "%.2f", ($2+$3)/$1}' "$1.time"; }

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) logical cores; OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset}; $(date -u +%FT%TZ)"
one "$work/solo" "$@"
solo=$(spe "$work/solo")
echo "1 run:  $solo s/epoch, CPU use $(cpu "$work/solo") cores"
for n in $(seq 2 "$max"); do
  for k in $(seq 1 "$n"); do one "$work/n$n-$k" "$@" & done
  wait
  line="$n runs:"
  total=0
  for k in $(seq 1 "$n"); do
    s=$(spe "$work/n$n-$k")
    share=$(awk -v a="$solo" -v b="$s" 'BEGIN{printf "%.2f", a/b}')
    total=$(awk -v t="$total" -v x="$share" 'BEGIN{printf "%.2f", t+x}')
    line+=" $s s/epoch (${share} of solo, CPU $(cpu "$work/n$n-$k"));"
  done
  echo "$line together ${total}x a lone run's work"
done

#!/usr/bin/env bash
# Can TorchSharp's Windows LibTorchSharp.dll load against the libtorch it is paired with? Checked statically here:
# every function it imports from a libtorch DLL (c10.dll, torch_cpu.dll) must be among that DLL's exports, else
# Windows refuses to load it (the first torch call fails; TorchSharp issue 1567). Reads the PE import and export
# tables with binutils' objdump (x64 PE) and llvm-readobj (ARM64 PE, which this objdump cannot read; on x64 both
# are read and must agree). Packages come through NuGet into its cache (~/.nuget/packages): about 80 MB (x64) and
# 50 MB (ARM64) compressed, 330 and 150 MB unpacked.
#
# Usage: deploy/windows/check-imports.sh [expected.tsv]
# Prints one row per TorchSharp/libtorch/runtime pair (missing imports, and their names in a log), and exits 1 when a
# pair's result differs from the one recorded in expected.tsv (beside this script), which docs/running.md and
# run-all.ps1 state: a change in either direction must be seen and the docs changed with it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
expected="${1:-$here/expected.tsv}"
for tool in objdump llvm-readobj; do
  command -v "$tool" >/dev/null || { echo "check-imports: $tool not found; apt-get install binutils llvm" >&2; exit 1; }
done

# The pairs NuGet serves (TorchSharp version, libtorch-cpu version, runtime), from expected.tsv.
mapfile -t pairs < <(grep -v '^#' "$expected" | awk -F'\t' 'NF >= 4 { print $1 "\t" $2 "\t" $3 }')
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# One PackageDownload per package, its versions as "[a];[b]" (a package may not be listed twice).
declare -A versions=()
for p in "${pairs[@]}"; do
  IFS=$'\t' read -r ts lt rid <<<"$p"
  for pv in "TorchSharp=$ts" "libtorch-cpu-$rid=$lt"; do
    [[ ";${versions[${pv%%=*}]:-};" == *";[${pv#*=}];"* ]] || versions[${pv%%=*}]="${versions[${pv%%=*}]:+${versions[${pv%%=*}]};}[${pv#*=}]"
  done
done
{
  echo '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup><ItemGroup>'
  for name in "${!versions[@]}"; do echo "<PackageDownload Include=\"$name\" Version=\"${versions[$name]}\" />"; done
  echo '</ItemGroup></Project>'
} >"$work/download.csproj"
dotnet restore "$work/download.csproj" -v q >"$work/restore.log" 2>&1 || { cat "$work/restore.log" >&2; exit 1; }
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"

# imports <dll> <from-dll>: the names <dll> imports from <from-dll>.
imports() {
  if objdump -p "$1" >/dev/null 2>&1; then
    objdump -p "$1" | awk -v lib="$2" '/DLL Name:/ { on = ($3 == lib); next } on && NF == 0 { on = 0 } on && $1 ~ /^[0-9a-f]+$/ && NF >= 3 { print $3 }' | sort -u
  else
    llvm-readobj --coff-imports "$1" | awk -v lib="$2" '/^  Name:/ { on = ($2 == lib); next } on && /^  Symbol:/ { print $2 }' | sort -u
  fi
}
imports_llvm() { llvm-readobj --coff-imports "$1" | awk -v lib="$2" '/^  Name:/ { on = ($2 == lib); next } on && /^  Symbol:/ { print $2 }' | sort -u; }
exports() { llvm-readobj --coff-exports "$1" | sed -nE 's/^\s*Name: (.+)$/\1/p' | sort -u; }
libs() { llvm-readobj --coff-imports "$1" | sed -nE 's/^  Name: (.+)$/\1/p'; }

status=0
printf 'TorchSharp\tlibtorch-cpu\truntime\timports between the shipped DLLs\tmissing\tresult\n'
for p in "${pairs[@]}"; do
  IFS=$'\t' read -r ts lt rid <<<"$p"
  sharp="$cache/torchsharp/$ts/runtimes/$rid/native/LibTorchSharp.dll"
  native="$cache/libtorch-cpu-$rid/$lt/runtimes/$rid/native"
  [ -f "$sharp" ] && [ -d "$native" ] || { echo "check-imports: $sharp or $native missing after restore" >&2; exit 1; }
  total=0 missing=0
  log="$work/missing-$ts-$lt-$rid.txt"
  : >"$log"
  # LibTorchSharp.dll against libtorch's DLLs, and each of those against the others (a missing export anywhere in the
  # chain fails the load the same way). Windows' own DLLs and the Visual C++ runtime are not in the packages.
  for dll in "$sharp" "$native"/*.dll; do
    for lib in $(libs "$dll"); do
      [ -f "$native/$lib" ] || continue
      imports "$dll" "$lib" >"$work/imp"
      if [ "$rid" = win-x64 ] && ! cmp -s "$work/imp" <(imports_llvm "$dll" "$lib"); then
        echo "check-imports: objdump and llvm-readobj disagree on $dll's imports from $lib" >&2; exit 1
      fi
      exports "$native/$lib" >"$work/exp"
      total=$((total + $(wc -l <"$work/imp")))
      comm -23 "$work/imp" "$work/exp" | sed "s|^|$(basename "$dll") -> $lib: |" >>"$log"
    done
  done
  # Not vacuous: the tables were read, and the comparison does see a name that is not exported (torch_cpu's
  # imports against c10's exports).
  imports "$sharp" torch_cpu.dll >"$work/imp"
  exports "$native/c10.dll" >"$work/exp"
  if [ "$total" -lt 1000 ] || [ "$(comm -23 "$work/imp" "$work/exp" | wc -l)" = 0 ]; then
    echo "check-imports: $sharp: the import or export tables were not read ($total imports); check objdump and llvm-readobj" >&2; exit 1
  fi
  missing=$(wc -l <"$log")
  result=$([ "$missing" = 0 ] && echo "every import resolves" || echo "$missing unresolved: does not load")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$ts" "$lt" "$rid" "$total" "$missing" "$result"
  sed 's/^/    missing: /' "$log"
  want=$(awk -F'\t' -v a="$ts" -v b="$lt" -v c="$rid" '$1 == a && $2 == b && $3 == c { print $4 }' "$expected")
  if [ "$want" != "$missing" ]; then
    echo "check-imports: $ts + libtorch-cpu-$rid $lt: $missing missing imports, $expected records $want; update it, docs/running.md, README.md and run-all.ps1 together" >&2
    status=1
  fi
done
exit "$status"

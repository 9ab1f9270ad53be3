#!/bin/sh
# Does where a process sits in the cgroup tree change what vcwork measures on a busy host? (docs/fidelity.md)
# vcwork JOB on CPU 0 in two placements, order alternating AB/BA per pair; prints A, B and B/A per pair.
#   caller: A = this shell's cgroups (where the native tier's agent ran before it got its own),
#           B = a fresh top-level cpu+memory cgroup (where the built-in container's agent runs)
#   both:   A and B each in a fresh top-level cgroup (the native tier now)
# Needs root and cgroup v1 cpu+memory controllers (this development host); removes its cgroups at exit.
# Usage: sh benchmarks/cgroup-placement.sh [JOB] [PAIRS]   (default cpu.int 10)
set -eu
V=$(dirname "$0")/../build/native/$(uname -m)/vcwork
JOB=${1:-cpu.int}; N=${2:-10}
CG=/sys/fs/cgroup
for g in virtcheck-placement-a virtcheck-placement-b; do mkdir -p $CG/cpu/$g $CG/memory/$g; done
trap 'for g in virtcheck-placement-a virtcheck-placement-b; do rmdir $CG/cpu/$g $CG/memory/$g 2>/dev/null || true; done' EXIT
val() { sed -n 's/.*"value":\([0-9.e+-]*\).*/\1/p' | head -1; }
fresh() { sh -c 'echo $$ > '$CG'/cpu/'$1'/tasks; echo $$ > '$CG'/memory/'$1'/tasks; exec taskset -c 0 "$0" run "$1" --reps 1 --target-ms 400 --quick' "$V" "$JOB" 2>/dev/null | val; }
one() { if [ "$1" = A ]; then if [ "$MODE" = caller ]; then taskset -c 0 "$V" run "$JOB" --reps 1 --target-ms 400 --quick 2>/dev/null | val; else fresh virtcheck-placement-a; fi; else fresh virtcheck-placement-b; fi; }
echo "# $(date -u +%FT%TZ) job $JOB, load avg $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
for MODE in caller both; do
  echo "## $MODE: pair A B B/A"
  i=1
  while [ $i -le "$N" ]; do
    if [ $((i % 2)) = 1 ]; then a=$(one A); b=$(one B); else b=$(one B); a=$(one A); fi
    echo "$i $a $b $(awk "BEGIN { printf \"%.2f\", $b / $a }")"
    i=$((i + 1))
  done
done

#!/usr/bin/env bash
# bench/lib/bisect.sh [--runs 5] [--n 1000] [--dir DIR] COMMIT... — the no-op of each commit, side by side.
#
# Each commit is taken with `git archive` into DIR/b/<commit> (the working tree and target/ are
# left alone) and built by its own launcher (`bin/mosaic --version`: the jar and whatever that
# launcher makes besides, such as its class-data sharing archive). Then, on one workload of size N
# (this checkout's bench/lib/gen.sh, in DIR/W), every commit converges its own root DIR/r/<commit>
# once, and the no-ops run round-robin — commit A, B, C, A, B, C, ... — so that other work on the
# machine weighs on every commit alike. Prints each run, then per commit the medians of CPU
# seconds (user + sys, which the machine's load disturbs less than wall time), wall seconds,
# minor page faults and peak RSS, with the load average before and after.
#
# A commit is built once: a later call with the same DIR reuses DIR/b/<commit> and DIR/r/<commit>.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
runs=5
n=1000
dir=/tmp/mosaic-bisect
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --n) n=$2; shift 2 ;;
        --dir) dir=$2; shift 2 ;;
        -*) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 64 ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 64; }
mkdir -p "$dir/b" "$dir/r" "$dir/cache"
[ -f "$dir/W/mosaic.yml" ] || "$here/gen.sh" "$n" "$dir/W" >/dev/null
commits=()
for ref in "$@"; do
    c=$(git -C "$repo" rev-parse --short=7 "$ref^{commit}")
    commits+=("$c")
    d="$dir/b/$c"
    if [ ! -f "$d/target/mosaic.jar" ]; then
        rm -rf "$d"
        mkdir -p "$d"
        git -C "$repo" archive "$c" | tar -x -C "$d"
        echo "bisect: building $c with its own launcher" >&2
        (cd "$d" && bin/mosaic --version >/dev/null)
    fi
    if [ ! -d "$dir/r/$c/srv" ]; then
        mkdir -p "$dir/r/$c"
        MOSAIC_CACHE_DIR="$dir/cache/$c" "$d/bin/mosaic" apply "$dir/W/mosaic.yml" --root "$dir/r/$c" >"$dir/first-$c.log" 2>&1 \
            || { echo "bisect: the first apply of $c failed (log: $dir/first-$c.log)" >&2; exit 1; }
    fi
done
sleep 2 # past the stat cache's racy window: the no-ops trust their hashes
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
raw="$dir/runs-$(date +%Y%m%d-%H%M%S).tsv"
for ((i = 1; i <= runs; i++)); do
    for c in "${commits[@]}"; do
        MOSAIC_CACHE_DIR="$dir/cache/$c" /usr/bin/time -f "%U %S %e %R %M" -o "$dir/.time" \
            "$dir/b/$c/bin/mosaic" apply "$dir/W/mosaic.yml" --root "$dir/r/$c" >"$dir/.out" 2>&1 \
            || { echo "bisect: a no-op of $c failed:" >&2; tail -n 5 "$dir/.out" >&2; exit 1; }
        grep -q ' 0 changed' "$dir/.out" || { echo "bisect: the no-op of $c changed something:" >&2; tail -n 3 "$dir/.out" >&2; exit 1; }
        awk -v c="$c" -v i="$i" '{ printf "%s\t%d\t%.2f\t%.2f\t%d\t%d\n", c, i, $1 + $2, $3, $4, $5 / 1024 }' "$dir/.time" | tee -a "$raw"
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '%-9s %8s %8s %10s %6s\n' commit "CPU s" "wall s" "minflt" MiB
for c in "${commits[@]}"; do
    col() { awk -v c="$c" -v k="$1" '$1 == c { print $k }' "$raw" | median; }
    printf '%-9s %8s %8s %10s %6s\n' "$c" "$(col 3)" "$(col 4)" "$(col 5)" "$(col 6)"
done

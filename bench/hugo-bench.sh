#!/usr/bin/env bash
# The reference for render cost: Hugo (Debian's `hugo`) building the synthetic catalogue of
# snapshot_bench with the minimal layout in bench/hugo/, from nothing (no cache), like cyberguide builds
# a snapshot. Prints wall time and peak memory per size.
#   bench/hugo-bench.sh [N ...]     default: 1000 10000
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="${SNAPSHOT_BENCH:-$root/build/release/snapshot_bench}"
command -v hugo >/dev/null || { echo "hugo is not installed (make bench installs it)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is not installed (make bench installs it)" >&2; exit 1; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
echo "$(hugo version | cut -d' ' -f1-2), $(nproc) cores"
for n in "${sizes[@]}"; do
  dir=$(mktemp -d /tmp/cyberguide-hugo-XXXXXX)
  trap 'rm -rf "$dir"' EXIT
  cp -r "$root/bench/hugo/." "$dir/"
  "$bin" --hugo-content "$n" "$dir"
  for round in 1 2 3; do
    rm -rf "$dir/public" "$dir/resources"
    /usr/bin/time -f "%e %M" -o "$dir/time" hugo --quiet --noBuildLock --cacheDir "$dir/cache" -s "$dir" -d "$dir/public" >/dev/null
    read -r secs kb < "$dir/time"
    pages=$(find "$dir/public" -name '*.html' | wc -l)
    echo "hugo, synthetic $n: round $round: $secs s, peak RSS $((kb / 1024)) MB, $pages pages"
    rm -rf "$dir/cache"
  done
  rm -rf "$dir"
  trap - EXIT
done

#!/bin/sh
# Runs one libFuzzer harness for a while, for CTest (tests/fuzz/CMakeLists.txt):
#   run.sh BINARY SEED_DIR SECONDS [more libFuzzer flags…]
# New inputs go to a fresh temporary corpus directory (given FIRST, so libFuzzer writes there and never
# into the committed seeds, given SECOND). Crash, timeout and out-of-memory inputs are kept in
# $FUZZ_ARTIFACT_DIR (default: the current directory, the build tree under CTest). The temporary
# directory is also TMPDIR for the harness (the search index lives there) and is removed at the end.
# Exit status: libFuzzer's (non-zero when it found something).
set -u

if [ $# -lt 3 ]; then
  echo "usage: $0 BINARY SEED_DIR SECONDS [libFuzzer flags…]" >&2
  exit 2
fi
bin=$1
seeds=$2
seconds=${CYBERGUIDE_FUZZ_SECONDS:-$3}  # the environment (make fuzz) overrides the configured time
shift 3
name=$(basename "$bin")
artifacts=${FUZZ_ARTIFACT_DIR:-$(pwd)}
mkdir -p "$artifacts"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cyberguide-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir "$tmp/corpus" "$tmp/tmp"

# UBSan reports must stop the run (libFuzzer then reports a crash); ASan and UBSan print stacks.
# Settings already in the environment come after ours, so they win.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

log="$tmp/log"
status=0
TMPDIR="$tmp/tmp" "$bin" \
  -max_total_time="$seconds" \
  -print_final_stats=1 \
  -rss_limit_mb=4096 \
  -timeout="${FUZZ_TIMEOUT:-25}" \
  -artifact_prefix="$artifacts/$name-" \
  "$@" \
  "$tmp/corpus" "$seeds" >"$log" 2>&1 || status=$?

if [ "$status" -eq 0 ]; then
  # "Done 123456 runs in 30 second(s)" and the stat:: lines (execs, new units, peak RSS…).
  grep -E '^Done [0-9]+ runs|^stat::' "$log"
  units=$(find "$tmp/corpus" -type f | wc -l)
  echo "$name: no crash in $seconds s; $units new corpus units (discarded)"
else
  # The whole report: the invariant or sanitizer message, the stack, the input.
  tail -n 300 "$log"
  echo "$name: FAILED with status $status; crashing input kept as $artifacts/$name-*" >&2
fi
exit "$status"

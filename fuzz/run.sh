#!/usr/bin/env bash
# Run every fuzz target for a set time (libFuzzer via cargo-fuzz; no sanitizer, so it builds
# on the stable toolchain) and print each one's executions and findings.
#   usage: fuzz/run.sh [SECONDS_PER_TARGET=600] [TARGET...]
# Needs `cargo install cargo-fuzz`. Crashes land in fuzz/artifacts/<target>/; copy each into
# fuzz/regressions/<target>/ so tests/it/fuzz_regressions.rs replays it forever.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(form_parse connect_head proxy_authenticate conf_roundtrip)
mkdir -p fuzz/logs
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t"
    [[ -d fuzz/regressions/$t ]] && cp -n fuzz/regressions/"$t"/* "fuzz/corpus/$t/" 2>/dev/null || true
    rc=0
    cargo fuzz run -s none "$t" "fuzz/corpus/$t" -- -max_total_time="$seconds" -print_final_stats=1 \
        >"fuzz/logs/$t.log" 2>&1 || rc=$?
    execs=$(grep -m1 'stat::number_of_executed_units' "fuzz/logs/$t.log" | awk '{ print $2 }')
    crashes=$(ls "fuzz/artifacts/$t" 2>/dev/null | wc -l)
    echo "$t: ${seconds}s, ${execs:-?} executions, corpus $(ls "fuzz/corpus/$t" | wc -l), findings $crashes (exit $rc)"
done

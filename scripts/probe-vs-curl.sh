#!/usr/bin/env bash
# Compares `fmc-mgmt probe` with `curl -x … -I` through real squid and scripted fake proxies
# on loopback only, and times both through the open squid. Starts the lab
# (examples/probe_lab.rs) itself and stops it at the end. Prints markdown tables; nothing
# here touches a non-loopback address.
#   usage: scripts/probe-vs-curl.sh [ITERATIONS]   (needs squid, apache2-utils, curl)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
export FMC_LAB_FILE=$(mktemp -u /tmp/fmc-lab.XXXXXX.env) FMC_LAB_SECONDS=600
BIN="$CARGO_TARGET_DIR/debug/fmc-mgmt"
cargo build -q --bin fmc-mgmt
cargo run -q --example probe_lab >/dev/null 2>&1 &
LAB=$!
trap 'rm -f "$FMC_LAB_FILE"; wait $LAB 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do [[ -s $FMC_LAB_FILE ]] && break; sleep 0.2; done
# shellcheck disable=SC1090
source "$FMC_LAB_FILE"

probe() { # proxy url [extra args...] -> "code exit"
    local proxy=$1 url=$2; shift 2
    local out rc=0
    out=$("$BIN" probe -x "$proxy" --cacert "$CA_FILE" --max-time 5 --json "$@" "$url") || rc=$?
    printf '%s %s' "$(grep -m1 '"code"' <<<"$out" | sed 's/.*"code": "\(.*\)".*/\1/')" "$rc"
}
kurl() { # proxy url [extra args...] -> "exit connect_status http_status"
    local proxy=$1 url=$2; shift 2
    local out rc=0
    out=$(curl -s -o /dev/null -w '%{http_connect} %{http_code}' -x "http://$proxy" --cacert "$CA_FILE" \
        --max-time 5 "$@" -I "$url") || rc=$?
    printf '%s %s' "$rc" "$out"
}

U="$PROXY_USER:$PROXY_PASSWORD"
header() {
    echo "| case | probe diagnosis (exit) | curl exit | curl CONNECT status | curl HTTP status |"
    echo "|---|---|---|---|---|"
}
row() { # label, proxy, url, probe-args..., --, curl-args...
    local label=$1 proxy=$2 url=$3; shift 3
    local pargs=() cargs=()
    while [[ $# -gt 0 && $1 != -- ]]; do pargs+=("$1"); shift; done
    [[ $# -gt 0 ]] && shift
    cargs=("$@")
    read -r pcode prc <<<"$(probe "$proxy" "$url" "${pargs[@]}")"
    read -r crc cconn chttp <<<"$(kurl "$proxy" "$url" "${cargs[@]}")"
    echo "| $label | \`$pcode\` ($prc) | $crc | $cconn | $chttp |"
}
GOOD="https://$TARGET_GOOD/"
header
row "open squid" "$SQUID_OPEN" "$GOOD"
row "Basic, right password" "$SQUID_BASIC" "$GOOD" -U "$U" -- -U "$U" --proxy-basic
row "Basic, wrong password" "$SQUID_BASIC" "$GOOD" -U "$PROXY_USER:wrong" -- -U "$PROXY_USER:wrong" --proxy-basic
row "Basic, no credentials" "$SQUID_BASIC" "$GOOD"
row "Digest, right password" "$SQUID_DIGEST" "$GOOD" -U "$U" -- -U "$U" --proxy-digest
row "Digest, wrong password" "$SQUID_DIGEST" "$GOOD" -U "$PROXY_USER:wrong" -- -U "$PROXY_USER:wrong" --proxy-digest
row "ACL denies CONNECT" "$SQUID_DENY" "$GOOD"
row "target cert from unknown CA" "$SQUID_OPEN" "https://$TARGET_UNKNOWN_CA/"
row "target cert expired" "$SQUID_OPEN" "https://$TARGET_EXPIRED/"
row "target cert for another name" "$SQUID_OPEN" "https://$TARGET_WRONG_NAME/"

# Issue 14: the Cisco note's status table, plain HTTP (FMC needs 80 out too), the MTU case
# and a TLS-inspecting proxy. The fakes are examples/probe_lab.rs's (tests/it/support).
# curl is given the probe's padded request by hand: a header that makes it ~1,400 bytes.
PAD="X-Padding: $(printf 'x%.0s' $(seq 1 1400))"
PLAIN="http://$TARGET_PLAIN/"
echo
header
row "proxy answers 401 + WWW-Authenticate (tinyproxy)" "$FAKE_401" "$GOOD"
row "proxy answers 404 to CONNECT" "$FAKE_404" "$GOOD"
row "proxy answers 500 to CONNECT" "$FAKE_500" "$GOOD"
row "plain http://, squid allows" "$SQUID_OPEN" "$PLAIN"
row "plain http://, squid ACL denies it" "$SQUID_DENY_HTTP" "$PLAIN"
row "https://, same squid (CONNECT allowed)" "$SQUID_DENY_HTTP" "$GOOD"
row "small-MTU path drops writes > $MTU_WRITE_LIMIT B" "$FAKE_MTU_DROP" "$GOOD"
row "… curl -I with a 1,400-byte X-Padding header" "$FAKE_MTU_DROP" "$GOOD" -- -H "$PAD"
row "small-MTU path resets on writes > $MTU_WRITE_LIMIT B" "$FAKE_MTU_RESET" "$GOOD"
row "… curl -I with a 1,400-byte X-Padding header" "$FAKE_MTU_RESET" "$GOOD" -- -H "$PAD"
row "TLS-inspecting proxy (re-signs with its own CA)" "$FAKE_INSPECT" "$GOOD"

# What the probe says beyond the code, for the cases curl leaves to -v.
field() { # proxy url jq-ish key -> the first value of "key" in the probe's JSON
    "$BIN" probe -x "$1" --cacert "$CA_FILE" --max-time 5 --json "$2" 2>/dev/null |
        grep -m1 "\"$3\"" | sed 's/^[^:]*: //; s/,$//' || true
}
echo
echo "- 401: summary $(field "$FAKE_401" "$GOOD" summary)"
echo "- 404: summary $(field "$FAKE_404" "$GOOD" summary)"
echo "- 500: summary $(field "$FAKE_500" "$GOOD" summary)"
echo "- plain http denied: summary $(field "$SQUID_DENY_HTTP" "$PLAIN" summary)"
echo "- MTU (drop): hint $(field "$FAKE_MTU_DROP" "$GOOD" hint)"
echo "- TLS inspection: issuer $(field "$FAKE_INSPECT" "$GOOD" issuer)"

# Timing: probe and curl alternate, N runs each, wall time per run from date +%s%N.
us() { echo $(( ($(date +%s%N) - $1) / 1000 )); }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
p_runs=() c_runs=()
for _ in $(seq 1 "$N"); do
    t=$(date +%s%N)
    "$BIN" probe -x "$SQUID_OPEN" --target "$TARGET_GOOD" --cacert "$CA_FILE" --json >/dev/null 2>&1 || true
    p_runs+=("$(us "$t")")
    t=$(date +%s%N)
    curl -s -o /dev/null -x "http://$SQUID_OPEN" --cacert "$CA_FILE" -I "https://$TARGET_GOOD" >/dev/null 2>&1 || true
    c_runs+=("$(us "$t")")
done
p_med=$(printf '%s\n' "${p_runs[@]}" | median)
c_med=$(printf '%s\n' "${c_runs[@]}" | median)
p_sum=$(printf '%s\n' "${p_runs[@]}" | awk '{ s += $1 } END { print s }')
c_sum=$(printf '%s\n' "${c_runs[@]}" | awk '{ s += $1 } END { print s }')
echo
awk -v n="$N" -v pm="$p_med" -v cm="$c_med" -v ps="$p_sum" -v cs="$c_sum" 'BEGIN {
    printf "Through the open squid, %d alternating runs each (whole process, wall clock):\n", n
    printf "probe median %.1f ms, mean %.1f ms; curl median %.1f ms, mean %.1f ms;\n", pm / 1000, ps / n / 1000, cm / 1000, cs / n / 1000
    printf "ratio probe/curl: median %.2f, mean %.2f\n", pm / cm, ps / cs
}'

# In-process time: the probe's own total_ms against curl's %{time_total} (no process start).
p_in=$(for _ in $(seq 1 "$N"); do
    "$BIN" probe -x "$SQUID_OPEN" --target "$TARGET_GOOD" --cacert "$CA_FILE" --json | grep '"total_ms"' | tr -dc '0-9.\n'
done | median)
c_in=$(for _ in $(seq 1 "$N"); do
    curl -s -o /dev/null -w '%{time_total}\n' -x "http://$SQUID_OPEN" --cacert "$CA_FILE" -I "https://$TARGET_GOOD" |
        awk '{ print $1 * 1000 }'
done | median)
awk -v p="$p_in" -v c="$c_in" 'BEGIN {
    printf "in-process medians: probe total_ms %.2f ms, curl time_total %.2f ms, ratio %.2f\n", p, c, p / c
}'

#!/usr/bin/env bash
# Detection latency against real MariaDB: for InstancePollSeconds 1 and 5, kill -9 the primary of a 3-server
# sandbox N times and measure the time until `baton serve` first reports DeadMaster for it (polling the API every
# 10 ms, so figures carry ~10-20 ms of measurement granularity). Between trials the primary is restarted and the
# script waits for NoProblem again.
#
#   bench/detection-latency.sh [trials]          (default 10; BATON_BENCH_BUILD=debug|release, default release)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/install-deps.sh
baton_install_deps
trials=${1:-10}
mode=${BATON_BENCH_BUILD:-release}

swift build -c "$mode" --product baton >/dev/null
baton="$(swift build -c "$mode" --show-bin-path)/baton"

work=$(mktemp -d /tmp/baton-detection.XXXXXX)
daemon=""
cleanup() {
    [[ -n "$daemon" ]] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
    scripts/sandbox down --dir "$work/sandbox" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

base=${BATON_BENCH_BASE_PORT:-25300}
api_port=${BATON_BENCH_API_PORT:-25399}
api="http://127.0.0.1:$api_port/api"
primary="127.0.0.1/$((base + 1))"
export BATON_BENCH_PASSWORD=${BATON_SANDBOX_PASSWORD:-baton_pw}

analysis() { curl -fs "$api/replication-analysis/instance/$primary" | jq -r '.Details[0].Analysis // "none"'; }
wait_for() {  # wait_for CODE SECONDS
    local deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        [[ "$(analysis 2>/dev/null)" == "$1" ]] && return 0
        sleep 0.05
    done
    echo "timed out waiting for $1 (last: $(analysis 2>/dev/null))" >&2
    return 1
}
now_ns() { date +%s%N; }

echo "# $(nproc) cores, $(mariadbd --version | head -1 | cut -d' ' -f1-4), baton $mode build, $trials trials"
echo "poll_s  p50_ms  max_ms  min_ms  trials(ms)"
for poll in 1 5; do
    scripts/sandbox up --dir "$work/sandbox" --base-port "$base" --topology "1 2:1 3:1" >/dev/null 2>&1
    cat >"$work/baton.json" <<JSON
{"ListenAddress": "127.0.0.1:$api_port", "SQLite3DataFile": "$work/baton-$poll.sqlite3",
 "MySQLTopologyUser": "baton", "MySQLTopologyPassword": "\${BATON_BENCH_PASSWORD}", "InstancePollSeconds": $poll,
 "DiscoverByShowSlaveHosts": true, "MySQLHostnameResolveMethod": "@@report_host", "MySQLConnectTimeoutSeconds": 1}
JSON
    "$baton" serve --config "$work/baton.json" >"$work/baton-$poll.log" 2>&1 &
    daemon=$!
    until curl -fs "$api/lb-check" >/dev/null 2>&1; do sleep 0.05; done
    curl -fs "$api/discover/$primary" >/dev/null
    samples=()
    for _ in $(seq 1 "$trials"); do
        wait_for NoProblem 60
        start=$(now_ns)
        scripts/sandbox kill --dir "$work/sandbox" 1 >/dev/null 2>&1
        until [[ "$(analysis 2>/dev/null)" == "DeadMaster" ]]; do
            (( ($(now_ns) - start) / 1000000000 < 60 )) || { echo "no DeadMaster within 60 s" >&2; exit 1; }
            sleep 0.01
        done
        samples+=($(( ($(now_ns) - start) / 1000000 )))
        scripts/sandbox start --dir "$work/sandbox" 1 >/dev/null 2>&1
    done
    kill "$daemon"; wait "$daemon" 2>/dev/null || true; daemon=""
    scripts/sandbox down --dir "$work/sandbox" >/dev/null 2>&1
    sorted=($(printf '%s\n' "${samples[@]}" | sort -n))
    count=${#sorted[@]}
    echo "$poll       ${sorted[$((count / 2))]}      ${sorted[$((count - 1))]}      ${sorted[0]}      ${samples[*]}"
done

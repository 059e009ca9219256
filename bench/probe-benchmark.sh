#!/usr/bin/env bash
# Probe benchmark against real MariaDB: starts a 5-server sandbox topology, measures probes per second and
# per-probe latency with persistent connections at several concurrency levels, then with a new connection per
# probe, and tears the sandbox down. Figures go to BENCHMARKS.md with this command.
#
#   bench/probe-benchmark.sh [duration-seconds]     (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/install-deps.sh
baton_install_deps
duration=${1:-10}

swift build -c release --product baton-bench-probe
bench="$(swift build -c release --show-bin-path)/baton-bench-probe"

dir=$(mktemp -d /tmp/baton-bench.XXXXXX)
trap 'scripts/sandbox down --dir "$dir" >/dev/null 2>&1 || true' EXIT
base=${BATON_BENCH_BASE_PORT:-24300}
scripts/sandbox up --dir "$dir" --base-port "$base" --topology "1 2:1 3:1 4:1 5:4" >/dev/null
ports=$(seq -s, $((base + 1)) $((base + 5)))

export BATON_BENCH_PASSWORD=${BATON_SANDBOX_PASSWORD:-baton_pw}
echo "# machine: $(nproc) cores, $(uname -r), $(mariadbd --version | head -1)"
"$bench" --ports "$ports" --duration "$duration" --concurrency 1,4,16,64
"$bench" --ports "$ports" --duration "$duration" --concurrency 1,16 --reconnect

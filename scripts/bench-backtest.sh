#!/usr/bin/env bash
# The backtester benchmark (issue 6): bars per second through the full pipeline (the C SMA-cross
# strategy, the price-band filter, budgets, risk, the paper broker, the backtest ledger) on a
# generated 1,000,000-bar minute series, single core, release build, reading the CSV included;
# peak RSS at 1,000,000 and at 250,000 bars (flat memory); and backtrader on the same bars.
#   usage: scripts/bench-backtest.sh [BARS]     (make bench-backtest)
set -euo pipefail
cd "$(dirname "$0")/.."
bars="${1:-1000000}"
scripts/install-deps.sh >/dev/null
if ! python3 -c "import backtrader" 2>/dev/null; then python3 -m pip install -q backtrader; fi
swift build -c release >/dev/null
tbot=.build/release/tbot
fixture=Tests/Fixtures/BacktestBench
work=$(mktemp -d /tmp/tbot-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
fast=50 slow=200 size=10 cash=100000.00

$tbot data generate --bars "$bars" --seed 20240102 --symbol SYNTH --out "$work/minutes.csv" >/dev/null
head -n $((bars / 4 + 1)) "$work/minutes.csv" > "$work/quarter.csv"

run() { # FILE OUT -> JSON summary on stdout, "maxrss_kb" on fd 3
    taskset -c 0 /usr/bin/time -f "%M" -o "$work/rss" $tbot backtest --config "$fixture/env_bot" --manifests-dir "$fixture/manifests" \
        --plugins-dir .build/release --strategy sma_cross_c --data "$1" --out "$2" --cash "$cash" \
        --param fast=$fast --param slow=$slow --param size=$size --json
}
run "$work/quarter.csv" "$work/out-quarter" > "$work/quarter.json"; quarter_rss=$(cat "$work/rss")
run "$work/minutes.csv" "$work/out-full" > "$work/full.json"; full_rss=$(cat "$work/rss")
taskset -c 0 python3 scripts/backtrader_bench.py "$work/minutes.csv" $fast $slow $size 100000 > "$work/backtrader.json"

python3 - "$work" "$quarter_rss" "$full_rss" <<'PY'
import json, sys
work, quarter_rss, full_rss = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
full = json.load(open(f"{work}/full.json")); quarter = json.load(open(f"{work}/quarter.json"))
bt = json.load(open(f"{work}/backtrader.json"))
print(f"tbot:       {full['bars']} bars in {full['seconds']:.3f} s = {full['bars_per_second']:,.0f} bars/s, "
      f"{full['trades']} trades, final value {full['final_value']}")
print(f"backtrader: {bt['bars']} bars in {bt['seconds']:.3f} s = {bt['bars_per_second']:,.0f} bars/s, "
      f"{bt['trades']} trades, final value {bt['final_value']:.2f}")
print(f"speedup:    {full['bars_per_second'] / bt['bars_per_second']:.0f}x")
print(f"peak RSS:   {full_rss / 1024:.1f} MiB at {full['bars']} bars, {quarter_rss / 1024:.1f} MiB at {quarter['bars']} bars")
PY

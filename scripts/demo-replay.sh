#!/usr/bin/env bash
# The README demo's second half: `tbot run --replay` drives the session runtime (scheduler,
# sessions, watchdog, status.json, control files) from generated minute bars with a simulated
# clock, in paper mode. It runs in its own folder (output/replay-demo), so the paper books of
# `tbot demo` are not touched; the folder is rebuilt on each run, so the output is the same
# every time. Usage: scripts/demo-replay.sh BUILD_DIR
set -euo pipefail

build_dir=$(cd "${1:?usage: demo-replay.sh BUILD_DIR}" && pwd)
root=$(pwd)
demo=output/replay-demo
rm -rf "$demo"
mkdir -p "$demo/output/state" "$demo/data"
tbot="$build_dir/tbot"

# One generated day (390 minute bars from 14:30 UTC) for each symbol the bundled bots trade.
"$tbot" data generate --bars 390 --symbol SPY --seed 20240102 --start-price 50 --out "$demo/data/SPY.csv" >/dev/null
"$tbot" data generate --bars 390 --symbol QQQ --seed 20240103 --start-price 60 --out "$demo/data/QQQ.csv" >/dev/null
"$tbot" data generate --bars 390 --symbol IWM --seed 20240104 --start-price 70 --out "$demo/data/IWM.csv" >/dev/null

# The seed's config, paper mode, with entry windows long enough for the SMA crosses (20 bars)
# to signal inside each session.
"$tbot" config example \
    | sed -e 's/^OPEN_BREAKOUT_TIME=.*/OPEN_BREAKOUT_TIME=60/' \
          -e 's/^MID_BREAKOUT_TIME=.*/MID_BREAKOUT_TIME=60/' \
          -e 's/^CLOSE_BREAKOUT_TIME=.*/CLOSE_BREAKOUT_TIME=60/' > "$demo/.env_bot"

cd "$demo"
"$tbot" run --paper --config .env_bot --manifests-dir "$root/manifests" --plugins-dir "$root/plugins" \
    --replay data/SPY.csv --replay data/QQQ.csv --replay data/IWM.csv
echo "status: $demo/output/status.json; runtime log: $demo/output/logs/runtime_paper.log"

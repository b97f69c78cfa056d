#!/usr/bin/env bash
# Copies the bundled plugins the package built into the plugins folder, where the host
# finds them by default. Usage: scripts/install-plugins.sh BUILD_DIR [PLUGINS_DIR]
set -euo pipefail

build_dir=${1:?usage: install-plugins.sh BUILD_DIR [PLUGINS_DIR]}
plugins_dir=${2:-plugins}
bundled=(tbot_sma_cross_c tbot_sma_cross_swift tbot_price_band_filter tbot_paper_broker
         tbot_open_range_breakout tbot_vwap_reversion tbot_close_momentum tbot_technical_breakout tbot_mean_reversion
         tbot_adx_filter tbot_bollinger_confluence tbot_vix_gatekeeper tbot_alpaca_broker)

mkdir -p "$plugins_dir"
for product in "${bundled[@]}"; do
    library="$build_dir/lib$product.so"
    if [ ! -f "$library" ]; then
        echo "missing $library: build the package first" >&2
        exit 1
    fi
    # Copy to a new file and rename: a running host keeps its mapped image intact.
    cp "$library" "$plugins_dir/.lib$product.so.tmp"
    mv -f "$plugins_dir/.lib$product.so.tmp" "$plugins_dir/lib$product.so"
done

#!/usr/bin/env bash
# Installs what TBot builds and tests against, only what is missing.
# Debian or Ubuntu; run as root (or with sudo available).
#   system: libsqlite3-dev libcurl4-openssl-dev libffi-dev (build), hledger (ledger export test)
#   PyPI:   ofxtools (OFX export test), TA-Lib + numpy (indicator reference test), backtrader (backtest fidelity)
set -euo pipefail

packages=(libsqlite3-dev libcurl4-openssl-dev libffi-dev hledger)
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

if ! python3 -c "import ofxtools" 2>/dev/null; then
    echo "installing: ofxtools (PyPI)"
    python3 -m pip install -q ofxtools
fi

# TA-Lib (the manylinux wheel bundles the C library) and numpy: the indicator reference
# (Tests/Reference/indicators_reference.py) that IndicatorTests compares against.
if ! python3 -c "import talib, numpy" 2>/dev/null; then
    echo "installing: TA-Lib numpy (PyPI)"
    python3 -m pip install -q TA-Lib numpy
fi

# backtrader: the reference of the backtest fidelity test and of `make bench-backtest`.
if ! python3 -c "import backtrader" 2>/dev/null; then
    echo "installing: backtrader (PyPI)"
    python3 -m pip install -q backtrader
fi

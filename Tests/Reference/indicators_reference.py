#!/usr/bin/env python3
"""Reference series for the indicator library (PluginAPI/include/tbot_indicators.h).

Usage: indicators_reference.py BARS.csv

Reads a bar file with a header line: either daily bars
(Date,Open,High,Low,Close,Adj Close,Volume) or intraday bars (Date,Time,Open,High,Low,
Close,Volume), and prints one JSON object on stdout:

    {"file": ..., "bars": N, "talib": "<TA-Lib C version>",
     "series": {"sma5": [...], ..., "vwap": [...]}}

Each series has one entry per bar; null where the reference has no value (warm-up).
Floats are printed with repr, so they round-trip exactly.

Every series except "vwap" comes from TA-Lib (PyPI package `TA-Lib`, its bundled C
library) with default settings: no unstable period, default compatibility mode.
TA-Lib has no VWAP, so "vwap" is computed here independently: session VWAP per calendar
day (the Date column), typical price (high + low + close) / 3 weighted by volume, in exact
rational arithmetic (fractions.Fraction of each field's parsed double, so the only
rounding is the final conversion to the nearest double). While a day's cumulative volume is 0 the value is
the bar's typical price (the header's documented convention).
"""

import csv
import json
import math
import sys
from fractions import Fraction

import numpy as np
import talib


def read_bars(path):
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise SystemExit(f"{path}: no bars")
    text = {key: [row[key].strip() for row in rows] for key in ("Date", "High", "Low", "Close", "Volume")}
    return text


def series(values):
    out = []
    for value in values:
        value = float(value)
        out.append(None if math.isnan(value) else value)
    return out


def session_vwap(text):
    result = []
    day = None
    pv = Fraction(0)
    volume = Fraction(0)
    for date, high, low, close, vol in zip(text["Date"], text["High"], text["Low"], text["Close"], text["Volume"]):
        if date != day:
            day, pv, volume = date, Fraction(0), Fraction(0)
        # The bar's fields as the doubles a reader of the file holds, exactly.
        typical = (Fraction(float(high)) + Fraction(float(low)) + Fraction(float(close))) / 3
        v = Fraction(float(vol))
        pv += typical * v
        volume += v
        result.append(float(pv / volume) if volume > 0 else float(typical))
    return result


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: indicators_reference.py BARS.csv")
    path = sys.argv[1]
    text = read_bars(path)
    high = np.array([float(v) for v in text["High"]], dtype=np.float64)
    low = np.array([float(v) for v in text["Low"]], dtype=np.float64)
    close = np.array([float(v) for v in text["Close"]], dtype=np.float64)
    volume = np.array([float(v) for v in text["Volume"]], dtype=np.float64)

    out = {}
    for period in (5, 20, 200):
        out[f"sma{period}"] = talib.SMA(close, timeperiod=period)
    for period in (12, 26):
        out[f"ema{period}"] = talib.EMA(close, timeperiod=period)
    out["rsi14"] = talib.RSI(close, timeperiod=14)
    macd, signal, histogram = talib.MACD(close, fastperiod=12, slowperiod=26, signalperiod=9)
    out["macd"], out["macd_signal"], out["macd_histogram"] = macd, signal, histogram
    out["atr14"] = talib.ATR(high, low, close, timeperiod=14)
    out["adx14"] = talib.ADX(high, low, close, timeperiod=14)
    out["plus_di14"] = talib.PLUS_DI(high, low, close, timeperiod=14)
    out["minus_di14"] = talib.MINUS_DI(high, low, close, timeperiod=14)
    upper, middle, lower = talib.BBANDS(close, timeperiod=20, nbdevup=2.0, nbdevdn=2.0, matype=talib.MA_Type.SMA)
    out["bbands_upper"], out["bbands_middle"], out["bbands_lower"] = upper, middle, lower
    out["max20"] = talib.MAX(close, timeperiod=20)
    out["min20"] = talib.MIN(close, timeperiod=20)
    out["volume_sma20"] = talib.SMA(volume, timeperiod=20)

    document = {
        "file": path,
        "bars": len(close),
        "talib": talib.__ta_version__.decode() if isinstance(talib.__ta_version__, bytes) else str(talib.__ta_version__),
        "series": {name: series(values) for name, values in out.items()},
    }
    document["series"]["vwap"] = session_vwap(text)
    json.dump(document, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

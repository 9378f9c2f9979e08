#!/usr/bin/env python3
"""Reference values from TA-Lib itself for the batch kernels (domain/src/indicators/batch).

Reads the Coinbase BTC/USD hourly CSV (newest first), sorts it oldest first, keeps the LAST N
candles (a different slice from scripts/reference/indicators.py, which takes the first 500), and
writes TA-Lib's SMA, EMA, RSI, BBANDS (bb_upper, bb_middle, bb_lower), ATR, MFI and OBV over
them as JSON (null during warm-up).
Volumes are the base-asset column (volume_btc). Python runs only here, never at test time:
domain/tests/indicators_reference.rs reads the committed JSON.

Setup and usage (TA-Lib 0.6+ ships binary wheels):
    python3 -m venv /tmp/talib-venv && /tmp/talib-venv/bin/pip install TA-Lib numpy
    /tmp/talib-venv/bin/python scripts/reference/talib_reference.py \
        infrastructure/fixtures/market/Coinbase_BTCUSD_1h.csv domain/fixtures/talib_reference.json
"""
import csv
import json
import math
import sys

import numpy as np
import talib

N = 1000
PARAMS = {"sma": 20, "ema": 20, "rsi": 14, "bbands": [20, 2.0], "atr": 14, "mfi": 14}


def load(path):
    """Every row, oldest first, as (date, open, high, low, close, volume) float64 columns."""
    with open(path, newline="") as fh:
        lines = fh.read().splitlines()[1:]  # first line is a CryptoDataDownload banner
    rows = list(csv.DictReader(lines))
    rows.sort(key=lambda r: hour_key(r["date"]))
    return rows


def hour_key(stamp):
    # "2019-10-17 09-AM": sortable as (date, 24h hour)
    day, hour = stamp.split(" ")
    h, ampm = hour.split("-")
    return (day, int(h) % 12 + (12 if ampm == "PM" else 0))


def columns(rows):
    return tuple(np.array([float(r[k]) for r in rows], dtype=np.float64)
                 for k in ("open", "high", "low", "close", "volume_btc"))


def listed(values):
    return [None if math.isnan(x) else float(x) for x in values]


def main(src, dst):
    rows = load(src)[-N:]
    _, h, l, c, v = columns(rows)
    upper, middle, lower = talib.BBANDS(c, timeperiod=PARAMS["bbands"][0], nbdevup=PARAMS["bbands"][1],
                                        nbdevdn=PARAMS["bbands"][1], matype=talib.MA_Type.SMA)
    result = {
        "source": "Coinbase_BTCUSD_1h.csv, oldest first, last %d candles; TA-Lib %s" % (N, talib.__version__),
        "params": PARAMS,
        "first_date": rows[0]["date"],
        "last_date": rows[-1]["date"],
        "sma": listed(talib.SMA(c, timeperiod=PARAMS["sma"])),
        "ema": listed(talib.EMA(c, timeperiod=PARAMS["ema"])),
        "rsi": listed(talib.RSI(c, timeperiod=PARAMS["rsi"])),
        "bb_upper": listed(upper),
        "bb_middle": listed(middle),
        "bb_lower": listed(lower),
        "atr": listed(talib.ATR(h, l, c, timeperiod=PARAMS["atr"])),
        "mfi": listed(talib.MFI(h, l, c, v, timeperiod=PARAMS["mfi"])),
        "obv": listed(talib.OBV(c, v)),
    }
    with open(dst, "w") as fh:
        json.dump(result, fh, separators=(",", ":"))
        fh.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

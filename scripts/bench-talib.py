#!/usr/bin/env python3
"""TA-Lib's speed on this machine, for comparison with domain/benches/indicators.rs.

Runs RSI, EMA, SMA, BBANDS, ATR, MFI and OBV with the bench's parameters (14 for RSI, ATR, MFI;
20 for EMA, SMA and Bollinger with 2 deviations) over every candle of the Coinbase BTC/USD hourly
fixture as float64 arrays (oldest first, volume = volume_btc), and prints the best of 20 runs
of each in ns per candle, and their mean. The float64 arrays are built once, outside the timing
(the counterpart of the Rust bench's Columns conversion, which is reported apart).

Setup and usage (TA-Lib 0.6+ ships binary wheels):
    python3 -m venv /tmp/talib-venv && /tmp/talib-venv/bin/pip install TA-Lib numpy
    /tmp/talib-venv/bin/python scripts/bench-talib.py [infrastructure/fixtures/market/Coinbase_BTCUSD_1h.csv]
"""
import csv
import sys
import time

import numpy as np
import talib

RUNS = 20
CSV = "infrastructure/fixtures/market/Coinbase_BTCUSD_1h.csv"


def load(path):
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh.read().splitlines()[1:]))  # line 1 is a banner

    def hour_key(stamp):
        day, hour = stamp.split(" ")
        h, ampm = hour.split("-")
        return (day, int(h) % 12 + (12 if ampm == "PM" else 0))

    rows.sort(key=lambda r: hour_key(r["date"]))
    return tuple(np.array([float(r[k]) for r in rows], dtype=np.float64)
                 for k in ("high", "low", "close", "volume_btc"))


def best_ns_per_candle(f, n):
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter_ns()
        f()
        best = min(best, time.perf_counter_ns() - start)
    return best / n


def main(path):
    h, l, c, v = load(path)
    n = len(c)
    cases = [
        ("rsi", lambda: talib.RSI(c, timeperiod=14)),
        ("ema", lambda: talib.EMA(c, timeperiod=20)),
        ("sma", lambda: talib.SMA(c, timeperiod=20)),
        ("bollinger", lambda: talib.BBANDS(c, timeperiod=20, nbdevup=2.0, nbdevdn=2.0, matype=0)),
        ("atr", lambda: talib.ATR(h, l, c, timeperiod=14)),
        ("mfi", lambda: talib.MFI(h, l, c, v, timeperiod=14)),
        ("obv", lambda: talib.OBV(c, v)),
    ]
    print("TA-Lib %s, ns per candle per indicator, best of %d, %d candles" % (talib.__version__, RUNS, n))
    total = 0.0
    for name, f in cases:
        ns = best_ns_per_candle(f, n)
        total += ns
        print("%-10s %8.2f" % (name, ns))
    print("%-10s %8.2f" % ("mean", total / len(cases)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else CSV)

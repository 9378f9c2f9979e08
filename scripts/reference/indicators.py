#!/usr/bin/env python3
"""Independent reference values for domain/src/indicators (TA-Lib definitions).

Standard library only. Reads the Coinbase BTC/USD hourly CSV (newest first), sorts it oldest
first, keeps the first N candles and writes every indicator's output, aligned with the input
(null during warm-up), as JSON. Sums are recomputed from scratch for every window (no running
sums), so this is a different algorithm from the Rust streaming code.

Usage: python3 scripts/reference/indicators.py \
    infrastructure/fixtures/market/Coinbase_BTCUSD_1h.csv domain/fixtures/indicators_reference.json
"""
import csv
import json
import math
import sys
from decimal import Decimal

N = 500
PARAMS = {
    "sma": 20, "ema": 20, "rsi": 14, "bbands": [20, 2.0], "volume_ratio": 20,
    "volatility": 20, "mfi": 14, "atr": 14, "volume_profile": [24, "50"],
}


def load(path):
    with open(path, newline="") as fh:
        lines = fh.read().splitlines()[1:]  # first line is a CryptoDataDownload banner
    rows = list(csv.DictReader(lines))
    rows.sort(key=lambda r: unix_hours(r["date"]))
    return rows[:N]


def unix_hours(stamp):
    # "2019-10-17 09-AM": sortable as (date, 24h hour)
    day, hour = stamp.split(" ")
    h, ampm = hour.split("-")
    h = int(h) % 12 + (12 if ampm == "PM" else 0)
    return (day, h)


def mean(xs):
    return math.fsum(xs) / len(xs)


def pstdev(xs):
    m = mean(xs)
    return math.sqrt(math.fsum((x - m) ** 2 for x in xs) / len(xs))


def sma(xs, p):
    return [None if i < p - 1 else mean(xs[i - p + 1:i + 1]) for i in range(len(xs))]


def ema(xs, p):
    out, k = [None] * len(xs), 2.0 / (p + 1)
    value = None
    for i in range(p - 1, len(xs)):
        value = mean(xs[:p]) if i == p - 1 else (xs[i] - value) * k + value
        out[i] = value
    return out


def wilder(xs, p, first):
    """Wilder smoothing of xs (defined from index `first`): first output at first + p - 1."""
    out = [None] * len(xs)
    value = None
    for i in range(first + p - 1, len(xs)):
        if value is None:
            value = mean(xs[first:first + p])
        else:
            value = (value * (p - 1) + xs[i]) / p
        out[i] = value
    return out


def rsi(close, p):
    gains = [0.0] + [max(close[i] - close[i - 1], 0.0) for i in range(1, len(close))]
    losses = [0.0] + [max(close[i - 1] - close[i], 0.0) for i in range(1, len(close))]
    g, l = wilder(gains, p, 1), wilder(losses, p, 1)
    return [None if a is None else (0.0 if a + b == 0 else 100.0 * a / (a + b)) for a, b in zip(g, l)]


def bbands(close, p, k):
    out = []
    for i in range(len(close)):
        if i < p - 1:
            out.append(None)
            continue
        w = close[i - p + 1:i + 1]
        m, s = mean(w), pstdev(w)
        out.append({"upper": m + k * s, "middle": m, "lower": m - k * s})
    return out


def volume_ratio(vol, p):
    avg = sma(vol, p)
    return [None if a is None or a <= 0 else v / a for v, a in zip(vol, avg)]


def volatility(close, p):
    r = [None] + [math.log(close[i] / close[i - 1]) for i in range(1, len(close))]
    return [None if i < p else pstdev(r[i - p + 1:i + 1]) for i in range(len(close))]


def atr(high, low, close, p):
    tr = [0.0] + [max(high[i] - low[i], abs(high[i] - close[i - 1]), abs(low[i] - close[i - 1]))
                  for i in range(1, len(close))]
    return wilder(tr, p, 1)


def mfi(rows, p):
    tp = [(Decimal(r["high"]) + Decimal(r["low"]) + Decimal(r["close"])) for r in rows]  # 3 * tp
    vol = [Decimal(r["volume_btc"]) for r in rows]
    out = [None] * len(rows)
    for i in range(p, len(rows)):
        pos = sum((tp[j] * vol[j] for j in range(i - p + 1, i + 1) if tp[j] > tp[j - 1]), Decimal(0))
        neg = sum((tp[j] * vol[j] for j in range(i - p + 1, i + 1) if tp[j] < tp[j - 1]), Decimal(0))
        total = (pos + neg) / 3  # back to tp * volume for TA-Lib's "< 1" guard
        out[i] = 0.0 if total < 1 else 100.0 * float(pos) / float(pos + neg)
    return out


def vwap(high, low, close, vol):
    out = []
    for i in range(len(close)):
        v = math.fsum(vol[:i + 1])
        pv = math.fsum((high[j] + low[j] + close[j]) / 3.0 * vol[j] for j in range(i + 1))
        out.append(pv / v if v > 0 else None)
    return out


def obv(rows):
    out, total = [], Decimal(0)
    for i, r in enumerate(rows):
        c, v = Decimal(r["close"]), Decimal(r["volume_btc"])
        if i == 0:
            total = v
        elif c > Decimal(rows[i - 1]["close"]):
            total += v
        elif c < Decimal(rows[i - 1]["close"]):
            total -= v
        out.append(float(total))
    return out


def volume_profile(rows, window, width):
    width = Decimal(width)
    out = []
    for i in range(len(rows)):
        if i < window - 1:
            out.append(None)
            continue
        buckets = {}
        for r in rows[i - window + 1:i + 1]:
            hlc = Decimal(r["high"]) + Decimal(r["low"]) + Decimal(r["close"])
            key = int((hlc / (3 * width)).to_integral_value(rounding="ROUND_FLOOR"))
            buckets[key] = buckets.get(key, Decimal(0)) + Decimal(r["volume_btc"])
        top = max(buckets.values())
        key = min(k for k, v in buckets.items() if v == top)
        out.append(float(key * width + width / 2))
    return out


def main(src, dst):
    rows = load(src)
    o, h, l, c, v = ([float(r[k]) for r in rows] for k in ("open", "high", "low", "close", "volume_btc"))
    result = {
        "source": "Coinbase_BTCUSD_1h.csv, oldest first, first %d candles" % N,
        "params": PARAMS,
        "first_date": rows[0]["date"],
        "last_date": rows[-1]["date"],
        "sma": sma(c, PARAMS["sma"]),
        "ema": ema(c, PARAMS["ema"]),
        "rsi": rsi(c, PARAMS["rsi"]),
        "bbands": bbands(c, *PARAMS["bbands"]),
        "volume_ratio": volume_ratio(v, PARAMS["volume_ratio"]),
        "volatility": volatility(c, PARAMS["volatility"]),
        "mfi": mfi(rows, PARAMS["mfi"]),
        "atr": atr(h, l, c, PARAMS["atr"]),
        "vwap": vwap(h, l, c, v),
        "obv": obv(rows),
        "volume_profile": volume_profile(rows, *PARAMS["volume_profile"]),
    }
    with open(dst, "w") as fh:
        json.dump(result, fh, indent=0)
        fh.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

#!/usr/bin/env python3
"""Independent reference of botfleet's analytics (docs/analytics.md), plain Python 3.

Reads a fixture (tests/fixtures/analytics/*.json: a book's capital, realized profit to date,
unrealized P&L, trades, the window and now) and prints every figure as JSON: the daily equity
series, the daily returns, Sharpe, Sortino, maximum drawdown, profit factor, expectancy, win rate,
hold times, best and worst trade, each with the reason when it has no value.

Written from the definitions, not from the Rust code: money in `decimal.Decimal`, the ratios in
floats through `statistics` (mean, sample standard deviation) and `math.sqrt`.

Usage: python3 tests/reference/analytics.py FIXTURE.json
"""

import json
import math
import statistics
import sys
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal, getcontext

getcontext().prec = 60
DAYS_PER_YEAR = 365


def parse_time(raw):
    return datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(timezone.utc)


def show_time(at):
    return at.strftime("%Y-%m-%dT%H:%M:%S") + (f".{at.microsecond:06d}".rstrip("0") if at.microsecond else "") + "Z"


def q(value, places):
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def midnight(at):
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def daily_series(book, start, now):
    """Points at the window's start, every UTC midnight after it, and now."""
    trades = book["trades"]
    realized_then = lambda at: book["realized"] - sum((t["pnl"] for t in trades if t["closed_at"] >= at), Decimal(0))
    times = []
    at = start
    while at < now:
        times.append(at)
        at = midnight(at) + timedelta(days=1)
    points = [(at, book["capital"] + realized_then(at)) for at in times]
    points.append((now, book["capital"] + book["realized"] + book["unrealized"]))
    base = points[0][1]
    return [{"at": at, "equity": eq, "cumulative_pnl": eq - base} for at, eq in points]


def ratios(returns, rf_annual):
    if len(returns) < 2:
        return ("too_few_days", "too_few_days")
    excess = [float(r - rf_annual / DAYS_PER_YEAR) for r in returns]
    mean = statistics.fmean(excess)
    sd = statistics.stdev(excess)
    sharpe = "zero_variance" if sd == 0 else mean / sd * math.sqrt(DAYS_PER_YEAR)
    downside = math.sqrt(sum(min(0.0, e) ** 2 for e in excess) / len(excess))
    sortino = "no_downside" if downside == 0 else mean / downside * math.sqrt(DAYS_PER_YEAR)
    return (sharpe, sortino)


def drawdown(points):
    peak_eq, peak_at = points[0]["equity"], points[0]["at"]
    best = (Decimal(0), peak_eq, peak_at, peak_at)  # amount, peak, peak_at, trough_at
    for p in points:
        if p["equity"] > peak_eq:
            peak_eq, peak_at = p["equity"], p["at"]
        if peak_eq <= 0:
            return "non_positive_equity"
        amount = peak_eq - p["equity"]
        if amount / peak_eq > best[0] / best[1]:
            best = (amount, peak_eq, peak_at, p["at"])
    amount, peak, peak_at, trough_at = best
    return {"amount": amount, "percent": q(amount * 100 / peak, 8), "peak_at": peak_at, "trough_at": trough_at}


def trade_figures(trades):
    if not trades:
        return {k: "no_trades" for k in ("profit_factor", "expectancy", "win_rate", "average_hold_seconds",
                                         "median_hold_seconds", "best_trade", "worst_trade")} | {
            "trades": 0, "wins": 0, "gross_profit": Decimal(0), "gross_loss": Decimal(0)}
    pnls = [t["pnl"] for t in trades]
    gross_profit = sum((p for p in pnls if p > 0), Decimal(0))
    gross_loss = -sum((p for p in pnls if p < 0), Decimal(0))
    wins = sum(1 for p in pnls if p > 0)
    held = sorted(Decimal((t["closed_at"] - t["opened_at"]) // timedelta(milliseconds=1)) / 1000 for t in trades)
    ordered = sorted(trades, key=lambda t: (t["closed_at"], t["id"]))
    best = ordered[0]
    worst = ordered[0]
    for t in ordered:
        best = t if t["pnl"] > best["pnl"] else best
        worst = t if t["pnl"] < worst["pnl"] else worst
    return {
        "trades": len(trades),
        "wins": wins,
        "win_rate": q(Decimal(wins) * 100 / len(trades), 2),
        "gross_profit": gross_profit,
        "gross_loss": gross_loss,
        "profit_factor": "no_losses" if gross_loss == 0 else q(gross_profit / gross_loss, 8),
        "expectancy": q(sum(pnls, Decimal(0)) / len(pnls), 8),
        "average_hold_seconds": q(sum(held, Decimal(0)) / len(held), 3),
        "median_hold_seconds": statistics.median(held),
        "best_trade": best["id"],
        "worst_trade": worst["id"],
    }


def compute(fixture):
    now = parse_time(fixture["now"])
    trades = [{"id": t["id"], "opened_at": parse_time(t["opened_at"]), "closed_at": parse_time(t["closed_at"]),
               "pnl": Decimal(t["realized_profit"])} for t in fixture["trades"]]
    book = {"capital": Decimal(fixture["capital"]), "realized": Decimal(fixture["realized"]),
            "unrealized": Decimal(fixture["unrealized"]), "trades": trades}
    if fixture.get("from"):
        start = parse_time(fixture["from"])
    elif trades:
        start = midnight(min(t["closed_at"] for t in trades))
    else:
        start = midnight(now)
    start = min(start, now)
    points = daily_series(book, start, now)
    returns = []
    for before, after in zip(points, points[1:]):
        if before["equity"] <= 0:
            returns = "non_positive_equity"
            break
        returns.append((after["equity"] - before["equity"]) / before["equity"])
    rf = Decimal(fixture.get("risk_free_rate", "0"))
    sharpe, sortino = ("non_positive_equity",) * 2 if isinstance(returns, str) else ratios(returns, rf)
    in_window = [t for t in trades if start <= t["closed_at"] <= now]
    out = {
        "points": [{"at": show_time(p["at"]), "equity": str(p["equity"]), "cumulative_pnl": str(p["cumulative_pnl"])}
                   for p in points],
        "daily_returns_count": None if isinstance(returns, str) else len(returns),
        "sharpe_ratio": sharpe,
        "sortino_ratio": sortino,
        "max_drawdown": drawdown(points),
    }
    out.update(trade_figures(in_window))
    return out


def encode(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return show_time(value)
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [encode(v) for v in value]
    return value


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        print(json.dumps(encode(compute(json.load(f))), indent=1))

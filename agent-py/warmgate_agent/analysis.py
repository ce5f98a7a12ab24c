"""Indicators over candles, composed from JSON specs, and rule-based backtests: the Python
counterpart of agent/src/analysis (same spec language, same fill model). Pure: no I/O.

Series are numpy float arrays with NaN for "no value" (warm-up); they leave as lists with
None. Saved references are resolved through a lookup the caller fills beforehand, which
also carries the series of user-written Python indicators (computed in the sandbox).
"""

from __future__ import annotations

import json
import math
from typing import Any, Callable

import numpy as np

from .errors import invalid

MAX_CANDLES = 10_000
MAX_DEPTH = 8
MAX_PERIOD = 1000
PRICE_FIELDS = ("open", "high", "low", "close", "hl2", "hlc3", "ohlc4", "volume")
COMPARATORS = (">", "<", ">=", "<=", "crosses_above", "crosses_below")
MAX_RULE_NODES = 32

Candles = dict[str, np.ndarray]
# name -> ("spec", dict) for a saved JSON spec, ("series", array) for a computed Python indicator
SavedLookup = Callable[[str], "tuple[str, Any] | None"]

CATALOG = [
    {"name": "sma", "params": {"period": "required", "source": "close"}, "outputs": ["value"]},
    {"name": "ema", "params": {"period": "required", "source": "close"}, "outputs": ["value"]},
    {"name": "wma", "params": {"period": "required", "source": "close"}, "outputs": ["value"]},
    {"name": "rsi", "params": {"period": 14, "source": "close"}, "outputs": ["value"]},
    {
        "name": "macd",
        "params": {"fast": 12, "slow": 26, "signal": 9, "source": "close"},
        "outputs": ["macd", "signal", "histogram"],
    },
    {"name": "bbands", "params": {"period": 20, "stddev": 2, "source": "close"}, "outputs": ["upper", "middle", "lower"]},
    {"name": "atr", "params": {"period": 14}, "outputs": ["value"]},
    {"name": "stoch", "params": {"period": 14, "smooth": 3, "signal": 3}, "outputs": ["k", "d"]},
    {"name": "obv", "params": {}, "outputs": ["value"]},
    {"name": "price", "params": {"field": "close"}, "outputs": ["value"]},
    {"name": "shift", "params": {"bars": "required", "source": "close"}, "outputs": ["value"]},
    {"name": "math", "params": {"op": "+ - * / min max", "left": "required", "right": "required"}, "outputs": ["value"]},
    {"name": "saved", "params": {"name": "required", "output": "optional"}, "outputs": ["those of the saved one"]},
]
OUTPUTS = {entry["name"]: entry["outputs"] for entry in CATALOG}


def show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


# --- candles -------------------------------------------------------------------------------


def parse_candles(raw: Any) -> Candles:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_CANDLES:
        raise invalid(f"candles: 1 to {MAX_CANDLES} candles are needed")
    keys = ("time", "open", "high", "low", "close")
    columns: dict[str, list[float]] = {k: [] for k in (*keys, "volume")}
    for i, candle in enumerate(raw):
        if not isinstance(candle, dict):
            raise invalid(f"candles[{i}]: expected an object with time, open, high, low, close")
        for key in keys:
            value = candle.get(key)
            if not _finite(value):
                raise invalid(f"candles[{i}].{key}: must be a finite number (got {show(value)})")
            columns[key].append(float(value))
        volume = candle.get("volume", 0)
        if not _finite(volume):
            raise invalid(f"candles[{i}].volume: must be a finite number (got {show(volume)})")
        columns["volume"].append(float(volume))
        if candle["high"] < candle["low"]:
            raise invalid(f"candles[{i}]: high is below low")
        if i > 0 and columns["time"][i] <= columns["time"][i - 1]:
            raise invalid(f"candles[{i}].time: times must increase strictly")
    return {k: np.asarray(v, dtype=float) for k, v in columns.items()}


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def to_list(series: np.ndarray) -> list[float | None]:
    return [None if not math.isfinite(v) else float(v) for v in series.tolist()]


# --- indicator math (NaN-aware: an indicator reads only its source's values) -----------------


def _on_values(source: np.ndarray, compute: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Runs `compute` over the source's non-NaN values and puts the results back in place."""
    out = np.full(source.shape, np.nan)
    mask = np.isfinite(source)
    if mask.any():
        out[mask] = compute(source[mask])
    return out


def sma(x: np.ndarray, period: int) -> np.ndarray:
    out = np.full(x.shape, np.nan)
    if len(x) >= period:
        sums = np.cumsum(np.insert(x, 0, 0.0))
        out[period - 1 :] = (sums[period:] - sums[:-period]) / period
    return out


def ema(x: np.ndarray, period: int) -> np.ndarray:
    """Seeded with the SMA of the first `period` values, then k = 2 / (period + 1)."""
    out = np.full(x.shape, np.nan)
    if len(x) < period:
        return out
    k = 2.0 / (period + 1)
    value = float(np.mean(x[:period]))
    out[period - 1] = value
    for i in range(period, len(x)):
        value = x[i] * k + value * (1 - k)
        out[i] = value
    return out


def wilder(x: np.ndarray, period: int) -> np.ndarray:
    out = np.full(x.shape, np.nan)
    if len(x) < period:
        return out
    value = float(np.mean(x[:period]))
    out[period - 1] = value
    for i in range(period, len(x)):
        value = (value * (period - 1) + x[i]) / period
        out[i] = value
    return out


def wma(x: np.ndarray, period: int) -> np.ndarray:
    out = np.full(x.shape, np.nan)
    if len(x) >= period:
        weights = np.arange(1, period + 1, dtype=float)
        out[period - 1 :] = np.convolve(x, weights[::-1], mode="valid") / weights.sum()
    return out


def rsi(x: np.ndarray, period: int) -> np.ndarray:
    out = np.full(x.shape, np.nan)
    if len(x) <= period:
        return out
    change = np.diff(x)
    gain = wilder(np.clip(change, 0, None), period)
    loss = wilder(np.clip(-change, 0, None), period)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(loss == 0, 100.0, 100 - 100 / (1 + gain / loss))
    out[1:] = np.where(np.isnan(gain), np.nan, value)
    return out


def rolling(x: np.ndarray, period: int, fn: Callable[[np.ndarray], float]) -> np.ndarray:
    out = np.full(x.shape, np.nan)
    for i in range(period - 1, len(x)):
        out[i] = fn(x[i - period + 1 : i + 1])
    return out


# --- specs -----------------------------------------------------------------------------------


class Evaluator:
    def __init__(self, candles: Candles, saved: SavedLookup) -> None:
        self.candles = candles
        self.saved = saved
        self.n = len(candles["close"])

    def price(self, field: str, where: str) -> np.ndarray:
        c = self.candles
        if field in ("open", "high", "low", "close", "volume"):
            return c[field]
        if field == "hl2":
            return (c["high"] + c["low"]) / 2
        if field == "hlc3":
            return (c["high"] + c["low"] + c["close"]) / 3
        if field == "ohlc4":
            return (c["open"] + c["high"] + c["low"] + c["close"]) / 4
        raise invalid(f"{where}: unknown price field {show(field)} (expected one of {', '.join(PRICE_FIELDS)})")

    def operand(self, value: Any, where: str, depth: int, trail: tuple[str, ...]) -> np.ndarray:
        """A number, a price field or a spec with one output."""
        if _finite(value):
            return np.full(self.n, float(value))
        if isinstance(value, str):
            return self.price(value, where)
        outputs = self.spec(value, where, depth, trail)
        return self.single(outputs, value, where)

    def single(self, outputs: dict[str, np.ndarray], spec: Any, where: str) -> np.ndarray:
        if len(outputs) == 1:
            return next(iter(outputs.values()))
        raise invalid(f"{where}: {show(spec.get('indicator'))} has outputs {', '.join(outputs)}: say which with \"output\"")

    def spec(self, spec: Any, where: str, depth: int = 0, trail: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
        if not isinstance(spec, dict) or not isinstance(spec.get("indicator"), str):
            raise invalid(f"{where}: expected an indicator spec {{\"indicator\": ...}} (got {show(spec)})")
        if depth > MAX_DEPTH:
            raise invalid(f"{where}: specs nest at most {MAX_DEPTH} deep")
        kind = spec["indicator"]
        outputs = self._compute(kind, spec, where, depth, trail)
        output = spec.get("output")
        if output is None:
            return outputs
        if output not in outputs:
            raise invalid(f"{where}.output: {show(kind)} has no output {show(output)} (expected one of {', '.join(outputs)})")
        return {output: outputs[output]}

    def _int(self, spec: dict[str, Any], key: str, default: int | None, where: str, low: int = 1) -> int:
        value = spec.get(key, default)
        if value is None:
            raise invalid(f"{where}.{key}: required")
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= MAX_PERIOD:
            raise invalid(f"{where}.{key}: {key} must be an integer from {low} to {MAX_PERIOD} (got {show(value)})")
        return value

    def _source(self, spec: dict[str, Any], where: str, depth: int, trail: tuple[str, ...]) -> np.ndarray:
        return self.operand(spec.get("source", "close"), f"{where}.source", depth + 1, trail)

    def _compute(self, kind: str, spec: dict[str, Any], where: str, depth: int, trail: tuple[str, ...]) -> dict[str, np.ndarray]:
        c = self.candles
        if kind in ("sma", "ema", "wma", "rsi"):
            period = self._int(spec, "period", 14 if kind == "rsi" else None, where)
            fn = {"sma": sma, "ema": ema, "wma": wma, "rsi": rsi}[kind]
            return {"value": _on_values(self._source(spec, where, depth, trail), lambda x: fn(x, period))}
        if kind == "macd":
            fast = self._int(spec, "fast", 12, where)
            slow = self._int(spec, "slow", 26, where)
            signal = self._int(spec, "signal", 9, where)
            if fast >= slow:
                raise invalid(f"{where}: fast ({fast}) must be below slow ({slow})")
            line = _on_values(self._source(spec, where, depth, trail), lambda x: ema(x, fast) - ema(x, slow))
            sig = _on_values(line, lambda x: ema(x, signal))
            return {"macd": line, "signal": sig, "histogram": line - sig}
        if kind == "bbands":
            period = self._int(spec, "period", 20, where)
            k = spec.get("stddev", 2)
            if not _finite(k) or not 0 < k <= 10:
                raise invalid(f"{where}.stddev: stddev must be a number > 0 and ≤ 10 (got {show(k)})")
            src = self._source(spec, where, depth, trail)
            middle = _on_values(src, lambda x: sma(x, period))
            dev = _on_values(src, lambda x: rolling(x, period, lambda w: float(np.std(w))))
            return {"upper": middle + k * dev, "middle": middle, "lower": middle - k * dev}
        if kind == "atr":
            period = self._int(spec, "period", 14, where)
            prev = np.concatenate(([np.nan], c["close"][:-1]))
            tr = np.nanmax(np.vstack([c["high"] - c["low"], np.abs(c["high"] - prev), np.abs(c["low"] - prev)]), axis=0)
            return {"value": wilder(tr, period)}
        if kind == "stoch":
            period = self._int(spec, "period", 14, where)
            smooth = self._int(spec, "smooth", 3, where)
            signal = self._int(spec, "signal", 3, where)
            hh = rolling(c["high"], period, lambda w: float(np.max(w)))
            ll = rolling(c["low"], period, lambda w: float(np.min(w)))
            with np.errstate(divide="ignore", invalid="ignore"):
                raw = np.where(hh - ll == 0, 50.0, 100 * (c["close"] - ll) / (hh - ll))
            raw[np.isnan(hh)] = np.nan
            k = _on_values(raw, lambda x: sma(x, smooth))
            return {"k": k, "d": _on_values(k, lambda x: sma(x, signal))}
        if kind == "obv":
            # From the second bar (the first has no previous close), as trading-signals' OBV.
            direction = np.sign(np.diff(c["close"], prepend=c["close"][0]))
            out = np.cumsum(direction * c["volume"])
            out[0] = np.nan
            return {"value": out}
        if kind == "price":
            return {"value": self.price(spec.get("field", "close"), f"{where}.field")}
        if kind == "shift":
            bars = self._int(spec, "bars", None, where, low=0)
            src = self._source(spec, where, depth, trail)
            out = np.full(src.shape, np.nan)
            out[bars:] = src[: len(src) - bars] if bars else src
            return {"value": out}
        if kind == "math":
            op = spec.get("op")
            left = self.operand(spec.get("left"), f"{where}.left", depth + 1, trail)
            right = self.operand(spec.get("right"), f"{where}.right", depth + 1, trail)
            with np.errstate(all="ignore"):
                value = {
                    "+": lambda: left + right,
                    "-": lambda: left - right,
                    "*": lambda: left * right,
                    "/": lambda: np.where(right == 0, np.nan, left / right),
                    "min": lambda: np.minimum(left, right),
                    "max": lambda: np.maximum(left, right),
                }.get(op if isinstance(op, str) else "")
                if value is None:
                    raise invalid(f"{where}.op: unknown op {show(op)} (expected one of + - * / min max)")
                out = value()
            out[~np.isfinite(out)] = np.nan
            return {"value": out}
        if kind == "saved":
            name = spec.get("name")
            if not isinstance(name, str):
                raise invalid(f"{where}.name: the saved indicator's name is required")
            if name in trail:
                raise invalid(f"saved indicator cycle: {' → '.join((*trail, name))}")
            found = self.saved(name)
            if found is None:
                raise invalid(f"{where}.name: no saved indicator {show(name)}")
            what, body = found
            if what == "series":
                return {"value": body}
            return self.spec(body, f"saved indicator {name}", depth, (*trail, name))
        raise invalid(f"{where}.indicator: unknown indicator {show(kind)} (expected one of {', '.join(OUTPUTS)})")


def saved_names(spec: Any) -> list[str]:
    """Every `saved` name a spec (or a rule) refers to, directly."""
    names: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("indicator") == "saved" and isinstance(node.get("name"), str):
                names.append(node["name"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return names


def compute(spec: Any, candles: Candles, saved: SavedLookup) -> dict[str, Any]:
    outputs = Evaluator(candles, saved).spec(spec, "spec")
    warmup = {name: _warmup(series) for name, series in outputs.items()}
    return {"outputs": {name: to_list(series) for name, series in outputs.items()}, "warmup": warmup}


def _warmup(series: np.ndarray) -> int:
    finite = np.flatnonzero(np.isfinite(series))
    return int(finite[0]) if len(finite) else len(series)


# --- strategies and backtests ------------------------------------------------------------------


def check_strategy(strategy: Any) -> dict[str, Any]:
    if not isinstance(strategy, dict):
        raise invalid(f"strategy: expected an object (got {show(strategy)})")
    allowed = {"name", "description", "side", "entry", "exit", "stopLossPct", "takeProfitPct", "positionSize", "fee", "initialCapital"}
    extra = sorted(set(strategy) - allowed)
    if extra:
        raise invalid(f"strategy: unknown key(s) {', '.join(extra)}")
    if strategy.get("side") not in ("long", "short"):
        raise invalid(f'strategy.side: side must be "long" or "short" (got {show(strategy.get("side"))})')
    bounds = {
        "stopLossPct": (0, 100, True),
        "takeProfitPct": (0, 10_000, True),
        "positionSize": (0, 1, True),
        "fee": (0, 0.1, False),
        "initialCapital": (0, 1e12, True),
    }
    for key, (low, high, exclusive) in bounds.items():
        if key in strategy:
            value = strategy[key]
            ok = _finite(value) and (value > low if exclusive else value >= low) and value <= high
            if not ok:
                raise invalid(f"strategy.{key}: {key} must be a number {'>' if exclusive else '≥'} {low} and ≤ {high} (got {show(value)})")
    nodes = _count_rules(strategy.get("entry"), "strategy.entry") + _count_rules(strategy.get("exit"), "strategy.exit")
    if nodes > MAX_RULE_NODES:
        raise invalid(f"entry and exit rules have {nodes} nodes together (at most {MAX_RULE_NODES})")
    return strategy


def _count_rules(rule: Any, where: str) -> int:
    if isinstance(rule, dict) and set(rule) == {"all"} or isinstance(rule, dict) and set(rule) == {"any"}:
        key = next(iter(rule))
        parts = rule[key]
        if not isinstance(parts, list) or not parts:
            raise invalid(f"{where}.{key}: {key} needs at least 1 rule")
        return 1 + sum(_count_rules(r, f"{where}.{key}[{i}]") for i, r in enumerate(parts))
    if isinstance(rule, dict) and set(rule) == {"left", "op", "right"}:
        if rule["op"] not in COMPARATORS:
            raise invalid(f"{where}.op: unknown comparison {show(rule['op'])} (expected one of {', '.join(COMPARATORS)})")
        return 1
    raise invalid(f'{where}: expected a rule: {{"left","op","right"}}, {{"all":[rules]}} or {{"any":[rules]}} (got {show(rule)})')


def evaluate_rule(rule: dict[str, Any], ev: Evaluator, where: str) -> np.ndarray:
    if "all" in rule:
        return np.logical_and.reduce([evaluate_rule(r, ev, where) for r in rule["all"]])
    if "any" in rule:
        return np.logical_or.reduce([evaluate_rule(r, ev, where) for r in rule["any"]])
    a = ev.operand(rule["left"], f"{where}.left", 0, ())
    b = ev.operand(rule["right"], f"{where}.right", 0, ())
    both = np.isfinite(a) & np.isfinite(b)
    op = rule["op"]
    with np.errstate(invalid="ignore"):
        if op in (">", "<", ">=", "<="):
            result = {">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[op]
            return result & both
        pa, pb = np.roll(a, 1), np.roll(b, 1)
        prev = np.roll(both, 1)
        prev[0] = False
        crossed = (pa <= pb) & (a > b) if op == "crosses_above" else (pa >= pb) & (a < b)
        return crossed & both & prev


def backtest(strategy: dict[str, Any], candles: Candles, saved: SavedLookup) -> dict[str, Any]:
    """One position at a time; the fill model of agent/src/analysis/backtest.ts."""
    ev = Evaluator(candles, saved)
    entry = evaluate_rule(strategy["entry"], ev, "strategy.entry")
    exit_ = evaluate_rule(strategy["exit"], ev, "strategy.exit")
    side = strategy["side"]
    d = 1 if side == "long" else -1
    stop_pct = strategy.get("stopLossPct")
    take_pct = strategy.get("takeProfitPct")
    size = strategy.get("positionSize", 1)
    fee = strategy.get("fee", 0)
    initial = strategy.get("initialCapital", 10_000)
    o, h, lo, c, t = (candles[k].tolist() for k in ("open", "high", "low", "close", "time"))
    last = len(c) - 1
    cash = float(initial)
    pos: dict[str, float] | None = None
    trades: list[dict[str, Any]] = []
    equity: list[float] = []
    bars_in = 0
    for i in range(len(c)):
        if pos is not None:
            fill = None
            adverse, favourable = (lo[i], h[i]) if d == 1 else (h[i], lo[i])
            if stop_pct is not None:
                stop = pos["price"] * (1 - d * stop_pct / 100)
                if d * (adverse - stop) <= 0:
                    fill = (o[i] if d * (o[i] - stop) < 0 else stop, "stop_loss")
            if fill is None and take_pct is not None:
                target = pos["price"] * (1 + d * take_pct / 100)
                if d * (favourable - target) >= 0:
                    fill = (o[i] if d * (o[i] - target) > 0 else target, "take_profit")
            if fill is None and exit_[i]:
                fill = (c[i], "exit_rule")
            if fill is None and i == last:
                fill = (c[i], "end_of_data")
            if fill is not None:
                price, reason = fill
                exit_fee = pos["qty"] * price * fee
                pnl = d * pos["qty"] * (price - pos["price"]) - pos["fee"] - exit_fee
                trades.append(
                    {
                        "side": side,
                        "entryTime": t[int(pos["index"])],
                        "entryPrice": pos["price"],
                        "exitTime": t[i],
                        "exitPrice": price,
                        "pnl": pnl,
                        "pnlPct": pnl / (pos["qty"] * pos["price"]) * 100,
                        "reason": reason,
                    }
                )
                cash = pos["cash"] + pnl
                bars_in += i - int(pos["index"])
                pos = None
        elif entry[i] and i < last and cash > 0:
            qty = cash * size / c[i]
            pos = {"index": i, "price": c[i], "qty": qty, "fee": qty * c[i] * fee, "cash": cash}
        equity.append(cash if pos is None else pos["cash"] - pos["fee"] + d * pos["qty"] * (c[i] - pos["price"]))
    pnl = cash - initial
    peak, drawdown = -math.inf, 0.0
    for value in equity:
        peak = max(peak, value)
        if peak > 0:
            drawdown = max(drawdown, (peak - value) / peak * 100)
    return {
        "trades": trades,
        "pnl": pnl,
        "pnlPct": pnl / initial * 100,
        "maxDrawdownPct": drawdown,
        "winRate": 0 if not trades else sum(1 for tr in trades if tr["pnl"] > 0) / len(trades),
        "tradeCount": len(trades),
        "exposurePct": 0 if len(c) < 2 else bars_in / (len(c) - 1) * 100,
        "equityCurve": equity,
    }

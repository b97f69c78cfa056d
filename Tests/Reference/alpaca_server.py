#!/usr/bin/env python3
"""A local stand-in for Alpaca's trading API v2 and market data API v2, for tests.

    alpaca_server.py --key-id ID --secret-key SECRET [--now 2023-11-14T22:13:20Z]
                     [--exit-on-stdin-eof]

Binds 127.0.0.1 on a free port and prints the port as the first line of stdout. Serves
the paths, headers and JSON shapes of the real API that the alpaca_broker plugin uses
(docs/brokers/alpaca.md lists them), from one in-memory account:

    GET    /v2/account                      GET    /v2/positions
    POST   /v2/orders                       GET    /v2/orders?status=open|closed|all
    GET    /v2/orders/{id}                  DELETE /v2/orders/{id}
    GET    /v2/orders:by_client_order_id?client_order_id=...
    GET    /v2/account/activities/FILL      (after, until, direction, page_size, page_token)
    GET    /v2/assets/{symbol}              GET    /v2/clock
    GET    /v2/stocks/{symbol}/bars         (timeframe, start, end, limit, feed, page_token)

Every /v2 request needs the headers APCA-API-KEY-ID and APCA-API-SECRET-KEY equal to the
keys given on the command line, else 401 {"code": 40110000, "message": "request is not
authorized"}. Money and quantities are decimal strings, as Alpaca sends them; bar prices
are JSON numbers. Time starts at --now and runs with the wall clock.

Test controls (never logged as requests):
    POST /__control   a JSON object; see CONTROL_KEYS and apply_control() below
    GET  /__requests  {"requests": [{method, path, query, auth: {key_id, secret_key},
                       authorized, body, status, fault}]}: header presence, never values
    GET  /__state     {"orders": [...], "activities": [...], "positions": {...}, "cash": ...}

Python 3 standard library only.
"""
import argparse
import base64
import json
import os
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

D = Decimal
EASTERN = timezone(timedelta(hours=-5))  # fixed EST offset: enough for a fake clock
OPEN_STATUSES = {"new", "accepted", "pending_new", "partially_filled", "held", "accepted_for_bidding",
                 "pending_cancel", "pending_replace", "stopped", "suspended", "calculated", "done_for_day"}
CONTROL_KEYS = {"flat_bars", "reset", "account", "positions", "prices", "assets", "clock", "faults", "clear_faults",
                "next_orders", "fill", "bars_page_size", "seed_fills", "clear_requests"}


def text(value):
    """Decimal as Alpaca's plain decimal text: no exponent, no trailing zeros after a point."""
    result = format(value, "f")
    if "." in result:
        result = result.rstrip("0").rstrip(".")
    return result or "0"


def iso(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso_seconds(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value):
    moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def decimal(value):
    try:
        result = D(str(value))
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


class Reply(Exception):
    """An HTTP error answer in Alpaca's shape."""

    def __init__(self, status, message, code=None):
        super().__init__(message)
        self.status = status
        self.body = {"code": code if code is not None else status * 100000 + 10000, "message": message}


class Account:
    """The whole fake: account, positions, orders, activities, assets, clock, bars, faults."""

    def __init__(self, key_id, secret_key, now):
        self.key_id, self.secret_key = key_id, secret_key
        self.base_now, self.started = now, time.monotonic()
        self.lock = threading.RLock()
        self.requests = []
        self.reset()

    def reset(self):
        self.cash, self.buying_power, self.currency = D("25000.50"), D("50001.00"), "USD"
        self.status, self.trading_blocked, self.account_blocked = "ACTIVE", False, False
        self.positions = {"AAPL": {"qty": D("10"), "avg": D("150.25")}, "TSLA": {"qty": D("-5"), "avg": D("240.10")}}
        self.prices = {"AAPL": D("187.50"), "TSLA": D("230.05"), "GME": D("20.10"), "SPY": D("450.00"), "HALT": D("10.00")}
        self.assets = {}
        for symbol, tradable, fractionable, shortable, easy in [
                ("AAPL", True, True, True, True), ("TSLA", True, True, True, False), ("GME", True, False, False, False),
                ("SPY", True, True, True, True), ("HALT", False, False, False, False)]:
            self.assets[symbol] = {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, symbol)), "class": "us_equity", "exchange": "NASDAQ",
                "symbol": symbol, "name": symbol + " Test Inc.", "status": "active", "tradable": tradable,
                "marginable": tradable, "shortable": shortable, "easy_to_borrow": easy, "fractionable": fractionable,
                "maintenance_margin_requirement": 30, "attributes": []}
        self.orders, self.activities = [], []
        self.faults, self.next_orders = [], []
        self.clock_override, self.bars_page_size = {}, None
        self.flat_bars = False

    def now(self):
        return self.base_now + timedelta(seconds=time.monotonic() - self.started)

    # ---- account and positions

    def price(self, symbol):
        return self.prices.get(symbol, D("100.00"))

    def account_json(self):
        long_value = sum((p["qty"] * self.price(s) for s, p in self.positions.items() if p["qty"] > 0), D(0))
        short_value = sum((p["qty"] * self.price(s) for s, p in self.positions.items() if p["qty"] < 0), D(0))
        equity = self.cash + long_value + short_value
        return {
            "id": "5e5a0ab8-6f0e-4a43-9d55-6d2b1a1f0001", "account_number": "PA0TBOTTEST", "status": self.status,
            "crypto_status": "INACTIVE", "currency": self.currency, "cash": text(self.cash),
            "portfolio_value": text(equity), "equity": text(equity), "last_equity": text(equity),
            "buying_power": text(self.buying_power), "regt_buying_power": text(self.buying_power),
            "daytrading_buying_power": "0", "non_marginable_buying_power": text(max(self.cash, D(0))),
            "long_market_value": text(long_value), "short_market_value": text(short_value),
            "initial_margin": "0", "maintenance_margin": "0", "multiplier": "2", "sma": "0", "daytrade_count": 0,
            "pattern_day_trader": False, "trading_blocked": self.trading_blocked, "transfers_blocked": False,
            "account_blocked": self.account_blocked, "shorting_enabled": True, "trade_suspended_by_user": False,
            "created_at": "2023-01-03T14:00:00.000000Z"}

    def positions_json(self):
        result = []
        for symbol in sorted(self.positions):
            qty, avg = self.positions[symbol]["qty"], self.positions[symbol]["avg"]
            price = self.price(symbol)
            result.append({
                "asset_id": self.assets.get(symbol, {}).get("id", str(uuid.uuid5(uuid.NAMESPACE_URL, symbol))),
                "symbol": symbol, "exchange": "NASDAQ", "asset_class": "us_equity", "asset_marginable": True,
                "qty": text(qty), "qty_available": text(qty), "avg_entry_price": text(avg),
                "side": "long" if qty > 0 else "short", "market_value": text(qty * price),
                "cost_basis": text(qty * avg), "unrealized_pl": text((price - avg) * qty),
                "unrealized_plpc": text(((price - avg) / avg).quantize(D("0.0001")) * (1 if qty > 0 else -1)),
                "unrealized_intraday_pl": "0", "unrealized_intraday_plpc": "0", "current_price": text(price),
                "lastday_price": text(price), "change_today": "0"})
        return result

    # ---- orders

    def find_order(self, order_id):
        for order in self.orders:
            if order["id"] == order_id:
                return order
        raise Reply(404, "order not found", 40410000)

    def submit(self, body):
        if not isinstance(body, dict):
            raise Reply(400, "request body format is invalid", 40010000)
        symbol = body.get("symbol")
        asset = self.assets.get(symbol)
        if asset is None:
            raise Reply(422, "asset \"%s\" not found" % symbol, 40010001)
        if not asset["tradable"]:
            raise Reply(422, "asset %s is not tradable" % symbol, 40010001)
        qty = decimal(body.get("qty"))
        if qty is None or qty <= 0:
            raise Reply(422, "qty must be > 0", 40010001)
        if qty != qty.to_integral_value() and not asset["fractionable"]:
            raise Reply(422, "asset %s is not fractionable" % symbol, 40010001)
        side, kind, tif = body.get("side"), body.get("type"), body.get("time_in_force")
        if side not in ("buy", "sell"):
            raise Reply(422, "invalid side", 40010001)
        if kind not in ("market", "limit", "stop", "stop_limit", "trailing_stop"):
            raise Reply(422, "invalid order type", 40010001)
        if tif not in ("day", "gtc", "opg", "cls", "ioc", "fok"):
            raise Reply(422, "invalid time_in_force", 40010001)
        limit, stop = decimal(body.get("limit_price")), decimal(body.get("stop_price"))
        if kind in ("limit", "stop_limit") and (limit is None or limit <= 0):
            raise Reply(422, "limit_price is required for %s orders" % kind, 40010001)
        if kind in ("stop", "stop_limit") and (stop is None or stop <= 0):
            raise Reply(422, "stop_price is required for %s orders" % kind, 40010001)
        if kind == "trailing_stop" and decimal(body.get("trail_percent")) is None and decimal(body.get("trail_price")) is None:
            raise Reply(422, "trail_percent or trail_price is required for trailing_stop orders", 40010001)
        client_id = body.get("client_order_id") or str(uuid.uuid4())
        if any(order["client_order_id"] == client_id for order in self.orders):
            raise Reply(422, "client_order_id must be unique", 40010001)
        estimate = limit if limit is not None else self.price(symbol)
        if side == "buy" and qty * estimate > self.buying_power:
            raise Reply(403, "insufficient buying power", 40310000)
        held = self.positions.get(symbol, {"qty": D(0)})["qty"]
        if side == "sell" and qty > max(held, D(0)) and not (asset["shortable"] and asset["easy_to_borrow"]):
            raise Reply(403, "asset %s is not shortable" % symbol, 40310000)

        now = iso(self.now())
        order = {
            "id": str(uuid.uuid4()), "client_order_id": client_id, "created_at": now, "updated_at": now,
            "submitted_at": now, "filled_at": None, "expired_at": None, "canceled_at": None, "failed_at": None,
            "replaced_at": None, "replaced_by": None, "replaces": None, "asset_id": asset["id"], "symbol": symbol,
            "asset_class": "us_equity", "notional": None, "qty": text(qty), "filled_qty": "0",
            "filled_avg_price": None, "order_class": body.get("order_class", ""), "order_type": kind, "type": kind,
            "side": side, "time_in_force": tif, "limit_price": text(limit) if limit is not None else None,
            "stop_price": text(stop) if stop is not None else None, "status": "new",
            "extended_hours": bool(body.get("extended_hours", False)), "legs": None,
            "trail_percent": body.get("trail_percent"), "trail_price": body.get("trail_price"), "hwm": None}
        if body.get("order_class") in ("bracket", "oto", "oco"):
            order["legs"] = self.legs(order, body)
        self.orders.append(order)

        behavior = self.behavior(symbol)
        mode = behavior.get("fill")
        if mode is None:  # marketable orders fill at the last price; resting ones wait
            price = self.price(symbol)
            marketable = kind == "market" or (kind == "limit" and (limit >= price if side == "buy" else limit <= price))
            mode = "full" if marketable else "none"
        price = decimal(behavior.get("price")) or self.price(symbol)
        if mode == "full":
            self.fill(order, qty, price)
        elif mode == "partial":
            self.fill(order, decimal(behavior.get("fill_qty")) or (qty / 2), price)
        if behavior.get("status"):
            order["status"] = behavior["status"]
        return order

    def legs(self, order, body):
        legs = []
        exit_side = "sell" if order["side"] == "buy" else "buy"
        for key, kind, field in (("take_profit", "limit", "limit_price"), ("stop_loss", "stop", "stop_price")):
            if isinstance(body.get(key), dict):
                leg = dict(order, id=str(uuid.uuid4()), client_order_id=str(uuid.uuid4()), side=exit_side,
                           type=kind, order_type=kind, status="held", legs=None, limit_price=None, stop_price=None)
                leg[field] = body[key].get(field)
                legs.append(leg)
        return legs

    def behavior(self, symbol):
        for index, rule in enumerate(self.next_orders):
            if rule.get("symbol") in (None, symbol):
                return self.next_orders.pop(index)
        return {}

    def fill(self, order, qty, price):
        total, filled = D(order["qty"]), D(order["filled_qty"])
        qty = min(qty, total - filled)
        if qty <= 0:
            raise Reply(422, "order has nothing left to fill", 42210000)
        previous = D(order["filled_avg_price"] or "0")
        order["filled_avg_price"] = text((previous * filled + price * qty) / (filled + qty))
        filled += qty
        order["filled_qty"] = text(filled)
        moment = self.now()
        order["updated_at"] = iso(moment)
        order["status"] = "filled" if filled == total else "partially_filled"
        if filled == total:
            order["filled_at"] = iso(moment)
        signed = qty if order["side"] == "buy" else -qty
        opening_short = order["side"] == "sell" and self.positions.get(order["symbol"], {"qty": D(0)})["qty"] - qty < 0
        self.move_position(order["symbol"], signed, price)
        self.cash -= signed * price
        self.buying_power -= signed * price
        self.activities.append({
            "id": moment.strftime("%Y%m%d%H%M%S%f")[:17] + "::" + str(uuid.uuid4()), "activity_type": "FILL",
            "transaction_time": iso(moment), "type": "fill" if filled == total else "partial_fill",
            "price": text(price), "qty": text(qty), "side": "sell_short" if opening_short else order["side"],
            "symbol": order["symbol"], "leaves_qty": text(total - filled), "order_id": order["id"],
            "cum_qty": text(filled), "order_status": order["status"]})

    def move_position(self, symbol, signed, price):
        position = self.positions.get(symbol)
        if position is None:
            self.positions[symbol] = {"qty": signed, "avg": price}
            return
        old = position["qty"]
        new = old + signed
        if new == 0:
            del self.positions[symbol]
        elif old == 0 or (old > 0) == (signed > 0):
            position["avg"] = (abs(old) * position["avg"] + abs(signed) * price) / abs(new)
            position["qty"] = new
        else:
            position["qty"] = new
            if (new > 0) != (old > 0):
                position["avg"] = price

    def cancel(self, order_id):
        order = self.find_order(order_id)
        if order["status"] not in OPEN_STATUSES:
            raise Reply(422, "order is not cancelable", 42210000)
        now = iso(self.now())
        order.update(status="canceled", canceled_at=now, updated_at=now)

    def list_orders(self, query):
        wanted = query.get("status", "open")
        orders = [o for o in self.orders if wanted == "all" or (o["status"] in OPEN_STATUSES) == (wanted == "open")]
        if query.get("symbols"):
            symbols = set(query["symbols"].split(","))
            orders = [o for o in orders if o["symbol"] in symbols]
        if query.get("direction", "desc") == "desc":
            orders = list(reversed(orders))
        return orders[:int(query.get("limit", "50"))]

    # ---- activities

    def fill_activities(self, query):
        items = sorted(self.activities, key=lambda a: (a["transaction_time"], a["id"]))
        if query.get("after"):
            after = parse_time(query["after"])
            items = [a for a in items if parse_time(a["transaction_time"]) > after]
        if query.get("until"):
            until = parse_time(query["until"])
            items = [a for a in items if parse_time(a["transaction_time"]) < until]
        if query.get("direction", "desc") == "desc":
            items.reverse()
        if query.get("page_token"):
            ids = [a["id"] for a in items]
            items = items[ids.index(query["page_token"]) + 1:] if query["page_token"] in ids else []
        size = max(1, min(100, int(query.get("page_size", "100"))))
        return items[:size]

    # ---- assets, clock, bars

    def clock_json(self):
        now = self.now().astimezone(EASTERN)
        def session(day):
            return (day.replace(hour=9, minute=30, second=0, microsecond=0),
                    day.replace(hour=16, minute=0, second=0, microsecond=0))
        opening, closing = session(now)
        is_open = now.weekday() < 5 and opening <= now < closing
        day = now if now.weekday() < 5 and now < opening else now + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        next_open, next_day_close = session(day)
        result = {"timestamp": now.isoformat(), "is_open": is_open, "next_open": next_open.isoformat(),
                  "next_close": (closing if is_open else next_day_close).isoformat()}
        result.update(self.clock_override)
        return result

    def bars(self, symbol, query):
        frame = query.get("timeframe", "")
        units = {"Min": 60, "T": 60, "Hour": 3600, "H": 3600, "Day": 86400, "D": 86400}
        step = None
        for suffix, seconds in units.items():
            if frame.endswith(suffix) and frame[:-len(suffix)].isdigit():
                step = int(frame[:-len(suffix)]) * seconds
                break
        if not step:
            raise Reply(422, "invalid timeframe", 42210000)
        if query.get("feed", "sip") not in ("iex", "sip", "delayed_sip", "otc", "boats"):
            raise Reply(422, "invalid feed", 42210000)
        if not query.get("start"):
            raise Reply(422, "start is required by this test server", 42210000)
        start = int(parse_time(query["start"]).timestamp())
        end = int(parse_time(query["end"]).timestamp()) if query.get("end") else int(self.now().timestamp())
        if query.get("page_token"):
            start = int(base64.b64decode(query["page_token"]).decode())
        limit = max(1, min(10000, int(query.get("limit", "1000"))))
        if self.bars_page_size:
            limit = min(limit, self.bars_page_size)
        offset = 5 * 3600 if step >= 86400 else 0  # daily bars start at midnight New York (EST)
        index = -((offset - start) // step)  # ceil((start - offset) / step)
        bars, token = [], None
        if symbol in self.prices:
            while offset + index * step <= end:
                moment = offset + index * step
                if len(bars) == limit:
                    token = base64.b64encode(str(moment).encode()).decode()
                    break
                bars.append(self.bar(symbol, index, moment))
                index += 1
        return {"bars": bars, "symbol": symbol, "next_page_token": token}

    def bar(self, symbol, index, moment):
        base = self.price(symbol)
        # flat_bars: every bar opens and closes at the symbol's price, so a test decides each signal.
        opening = base if self.flat_bars else base + D((index * 7) % 41 - 20) / 100
        closing = opening if self.flat_bars else opening + D((index * 13) % 11 - 5) / 100
        high, low = max(opening, closing) + D("0.05"), min(opening, closing) - D("0.04")
        return {"t": iso_seconds(datetime.fromtimestamp(moment, timezone.utc)), "o": float(opening), "h": float(high),
                "l": float(low), "c": float(closing), "v": 100 + (index * 37) % 900, "n": 10 + index % 50,
                "vw": float(((high + low + closing) / 3).quantize(D("0.0001")))}

    # ---- faults

    def take_fault(self, method, path):
        for rule in self.faults:
            if rule.get("times", 1) == 0:
                continue
            if rule.get("method") not in (None, method):
                continue
            pattern = rule.get("path")
            if pattern is not None and not (path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern):
                continue
            if rule.get("times", 1) > 0:
                rule["times"] = rule.get("times", 1) - 1
            return rule
        return None

    # ---- controls

    def apply_control(self, control):
        unknown = set(control) - CONTROL_KEYS
        if unknown:
            raise Reply(400, "unknown control keys: %s" % ", ".join(sorted(unknown)))
        answer = {"ok": True}
        if control.get("reset"):
            self.reset()
        if "account" in control:
            fields = control["account"]
            for key in ("cash", "buying_power"):
                if key in fields:
                    setattr(self, key, D(str(fields[key])))
            for key in ("currency", "status", "trading_blocked", "account_blocked"):
                if key in fields:
                    setattr(self, key, fields[key])
        if "positions" in control:
            self.positions = {p["symbol"]: {"qty": D(str(p["qty"])), "avg": D(str(p["avg_entry_price"]))}
                              for p in control["positions"]}
        for symbol, price in control.get("prices", {}).items():
            self.prices[symbol] = D(str(price))
        for symbol, fields in control.get("assets", {}).items():
            asset = self.assets.setdefault(symbol, {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, symbol)), "class": "us_equity", "exchange": "NASDAQ",
                "symbol": symbol, "name": symbol, "status": "active", "tradable": True, "marginable": True,
                "shortable": False, "easy_to_borrow": False, "fractionable": False, "attributes": []})
            asset.update(fields)
        if "clock" in control:
            self.clock_override = dict(control["clock"])
        if control.get("clear_faults"):
            self.faults = []
        self.faults.extend(dict(rule) for rule in control.get("faults", []))
        self.next_orders.extend(dict(rule) for rule in control.get("next_orders", []))
        if "bars_page_size" in control:
            self.bars_page_size = control["bars_page_size"]
        if "flat_bars" in control:
            self.flat_bars = bool(control["flat_bars"])
        if "fill" in control:
            order = self.find_order(control["fill"]["order_id"])
            rest = D(order["qty"]) - D(order["filled_qty"])
            qty = decimal(control["fill"].get("qty")) or rest
            self.fill(order, qty, decimal(control["fill"].get("price")) or self.price(order["symbol"]))
            answer["order"] = order
        if "seed_fills" in control:
            self.seed_fills(control["seed_fills"])
        if control.get("clear_requests"):
            self.requests = []
        return answer

    def seed_fills(self, seed):
        """`count` filled orders with one FILL activity each, `step_seconds` apart from `start`."""
        start = parse_time(seed.get("start", iso(self.now())))
        symbol, side = seed.get("symbol", "AAPL"), seed.get("side", "buy")
        qty, price = D(str(seed.get("qty", "1"))), D(str(seed.get("price", self.price(symbol))))
        for number in range(int(seed.get("count", 1))):
            moment = start + timedelta(seconds=number * float(seed.get("step_seconds", 1)))
            order_id = str(uuid.uuid4())
            self.orders.append({
                "id": order_id, "client_order_id": "seed-%d" % number, "created_at": iso(moment),
                "updated_at": iso(moment), "submitted_at": iso(moment), "filled_at": iso(moment), "symbol": symbol,
                "asset_class": "us_equity", "qty": text(qty), "filled_qty": text(qty), "filled_avg_price": text(price),
                "order_class": "", "order_type": "market", "type": "market", "side": side, "time_in_force": "day",
                "limit_price": None, "stop_price": None, "status": "filled", "legs": None})
            self.activities.append({
                "id": "%s::%s" % (moment.strftime("%Y%m%d%H%M%S%f")[:17], uuid.uuid4()), "activity_type": "FILL",
                "transaction_time": iso(moment), "type": "fill", "price": text(price), "qty": text(qty),
                "side": side, "symbol": symbol, "leaves_qty": "0", "order_id": order_id, "cum_qty": text(qty),
                "order_status": "filled"})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "alpaca-test-server/1.0"
    account = None  # set in main()

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def handle_any(self, method):
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = {key: values[0] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        account = self.account
        if path.startswith("/__"):
            self.control(method, path, body)
            return
        key_id, secret = self.headers.get("APCA-API-KEY-ID"), self.headers.get("APCA-API-SECRET-KEY")
        authorized = key_id == account.key_id and secret == account.secret_key
        entry = {"method": method, "path": path, "query": query, "authorized": authorized,
                 "auth": {"key_id": key_id is not None, "secret_key": secret is not None},
                 "body": body, "status": None, "fault": None}
        with account.lock:
            account.requests.append(entry)
            rule = account.take_fault(method, path) if authorized else None
        if rule is not None:
            entry["fault"] = {k: v for k, v in rule.items() if k != "times"}
        if rule and rule.get("sleep") and rule.get("sleep_phase", "before") == "before":
            time.sleep(float(rule["sleep"]))
        headers = {}
        if not authorized:
            status, payload = 401, {"code": 40110000, "message": "request is not authorized"}
        elif rule and rule.get("status"):
            status = int(rule["status"])
            payload = rule.get("body", {"code": rule.get("code", status * 100000 + 10000),
                                        "message": rule.get("message", "test fault")})
            if "retry_after" in rule:
                headers["Retry-After"] = str(rule["retry_after"])
        else:
            try:
                with account.lock:
                    status, payload = self.route(method, path, query, body)
            except Reply as reply:
                status, payload = reply.status, reply.body
            except (ValueError, KeyError, TypeError) as error:
                status, payload = 400, {"code": 40010000, "message": "bad request: %s" % error}
        entry["status"] = status
        text_body = payload if isinstance(payload, str) else (json.dumps(payload) if payload is not None else "")
        if rule and rule.get("malformed") and 200 <= status < 300:
            text_body = '{"truncated": ' + text_body[: len(text_body) // 2]
        if rule and rule.get("sleep") and rule.get("sleep_phase") == "after":
            time.sleep(float(rule["sleep"]))
        self.send(status, text_body, headers)

    def route(self, method, path, query, body):
        account = self.account
        if path == "/v2/account" and method == "GET":
            return 200, account.account_json()
        if path == "/v2/positions" and method == "GET":
            return 200, account.positions_json()
        if path == "/v2/clock" and method == "GET":
            return 200, account.clock_json()
        if path == "/v2/orders" and method == "POST":
            return 200, account.submit(body)
        if path == "/v2/orders" and method == "GET":
            return 200, account.list_orders(query)
        if path == "/v2/orders:by_client_order_id" and method == "GET":
            for order in account.orders:
                if order["client_order_id"] == query.get("client_order_id"):
                    return 200, order
            raise Reply(404, "order not found", 40410000)
        if path.startswith("/v2/orders/"):
            order_id = path[len("/v2/orders/"):]
            if method == "GET":
                return 200, account.find_order(order_id)
            if method == "DELETE":
                account.cancel(order_id)
                return 204, None
        if path == "/v2/account/activities/FILL" and method == "GET":
            return 200, account.fill_activities(query)
        if path == "/v2/account/activities" and method == "GET":
            kinds = query.get("activity_types", "FILL").split(",")
            return 200, account.fill_activities(query) if "FILL" in kinds else []
        if path.startswith("/v2/account/activities/") and method == "GET":
            return 200, []
        if path.startswith("/v2/assets/") and method == "GET":
            symbol = path[len("/v2/assets/"):]
            if symbol not in account.assets:
                raise Reply(404, "asset not found for %s" % symbol, 40410000)
            return 200, account.assets[symbol]
        if path.startswith("/v2/stocks/") and path.endswith("/bars") and method == "GET":
            return 200, account.bars(path[len("/v2/stocks/"):-len("/bars")], query)
        raise Reply(404, "endpoint not found", 40410000)

    def control(self, method, path, body):
        account = self.account
        try:
            with account.lock:
                if path == "/__control" and method == "POST":
                    answer = account.apply_control(body or {})
                elif path == "/__requests" and method == "GET":
                    answer = {"requests": account.requests}
                elif path == "/__state" and method == "GET":
                    answer = {"orders": account.orders, "activities": account.activities, "cash": text(account.cash),
                              "positions": {s: {"qty": text(p["qty"]), "avg_entry_price": text(p["avg"])}
                                            for s, p in account.positions.items()}}
                else:
                    raise Reply(404, "no such control endpoint")
            self.send(200, json.dumps(answer), {})
        except Reply as reply:
            self.send(reply.status, json.dumps(reply.body), {})
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            self.send(400, json.dumps({"code": 40010000, "message": "bad control: %s" % error}), {})

    def send(self, status, text_body, headers):
        data = text_body.encode()
        try:
            self.send_response(status)
            if status != 204:
                self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if data:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)


def main():
    parser = argparse.ArgumentParser(description="Local Alpaca-compatible test server")
    parser.add_argument("--key-id", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--now", default="2023-11-14T22:13:20Z", help="the server's time at start (RFC 3339)")
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="exit when stdin closes, so a crashed test leaves no server behind")
    options = parser.parse_args()
    Handler.account = Account(options.key_id, options.secret_key, parse_time(options.now))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    if options.exit_on_stdin_eof:
        def watch():
            sys.stdin.buffer.read()
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

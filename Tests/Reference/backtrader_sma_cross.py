"""The SMA-cross reference run for tbot's backtest fidelity test.

backtrader's default broker (market orders fill at the next bar's open, no commission),
a fixed stake, the same rule as tbot's sma_cross_c: buy `size` shares when the fast SMA
crosses above the slow one while flat, close the position when it crosses below.
Prints one JSON object: every closed trade (entry and exit day and price, P&L) and the
final portfolio value.

usage: python3 backtrader_sma_cross.py DATA FAST SLOW SIZE CASH
"""
import json
import sys

import backtrader as bt


class SmaCross(bt.Strategy):
    params = dict(fast=10, slow=30, size=10)

    def __init__(self):
        fast = bt.ind.SMA(self.data.close, period=self.p.fast)
        slow = bt.ind.SMA(self.data.close, period=self.p.slow)
        self.crossover = bt.ind.CrossOver(fast, slow)
        self.fills = []

    def next(self):
        if not self.position:
            if self.crossover > 0:
                self.buy(size=self.p.size)
        elif self.crossover < 0:
            self.close()

    def notify_order(self, order):
        if order.status == order.Completed:
            self.fills.append({
                "day": bt.num2date(order.executed.dt).strftime("%Y-%m-%d"),
                "side": "buy" if order.isbuy() else "sell",
                "price": order.executed.price,
                "size": abs(order.executed.size),
            })


def main():
    path, fast, slow, size, cash = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    cerebro = bt.Cerebro(stdstats=False)
    # Raw OHLC (not Adj Close), like tbot's reader.
    data = bt.feeds.GenericCSVData(dataname=path, dtformat="%Y-%m-%d", datetime=0, open=1, high=2, low=3,
                                   close=4, volume=6, openinterest=-1, headers=True)
    cerebro.adddata(data)
    cerebro.addstrategy(SmaCross, fast=fast, slow=slow, size=size)
    cerebro.broker.setcash(cash)
    strategy = cerebro.run()[0]
    trades = []
    fills = strategy.fills
    for entry, exit_ in zip(fills[0::2], fills[1::2]):
        trades.append({
            "entry_day": entry["day"], "entry_price": entry["price"],
            "exit_day": exit_["day"], "exit_price": exit_["price"],
            "size": entry["size"], "pnl": (exit_["price"] - entry["price"]) * entry["size"],
        })
    print(json.dumps({"trades": trades, "open_fills": len(fills) % 2, "final_value": cerebro.broker.getvalue()}))


if __name__ == "__main__":
    main()

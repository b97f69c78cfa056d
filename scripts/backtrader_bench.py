"""backtrader's side of `make bench-backtest`: the same SMA cross over the same generated
minute bars, timed from loading the CSV to the end of the run (the same span tbot's figure
covers). Prints one JSON object: bars, trades, final_value, seconds, bars_per_second.

usage: python3 backtrader_bench.py CSV FAST SLOW SIZE CASH
"""
import json
import sys
import time

import backtrader as bt


class SmaCross(bt.Strategy):
    params = dict(fast=50, slow=200, size=10)

    def __init__(self):
        fast = bt.ind.SMA(self.data.close, period=self.p.fast)
        slow = bt.ind.SMA(self.data.close, period=self.p.slow)
        self.crossover = bt.ind.CrossOver(fast, slow)
        self.closed = 0

    def next(self):
        if not self.position:
            if self.crossover > 0:
                self.buy(size=self.p.size)
        elif self.crossover < 0:
            self.close()

    def notify_trade(self, trade):
        if trade.isclosed:
            self.closed += 1


def main():
    path, fast, slow, size, cash = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    started = time.perf_counter()
    cerebro = bt.Cerebro(stdstats=False)
    data = bt.feeds.GenericCSVData(dataname=path, dtformat="%Y-%m-%d", tmformat="%H:%M:%S", datetime=0, time=1,
                                   open=2, high=3, low=4, close=5, volume=6, openinterest=-1, headers=True,
                                   timeframe=bt.TimeFrame.Minutes, compression=1)
    cerebro.adddata(data)
    cerebro.addstrategy(SmaCross, fast=fast, slow=slow, size=size)
    cerebro.broker.setcash(cash)
    strategy = cerebro.run()[0]
    seconds = time.perf_counter() - started
    bars = len(strategy.data)
    print(json.dumps({"bars": bars, "trades": strategy.closed, "final_value": cerebro.broker.getvalue(),
                      "seconds": seconds, "bars_per_second": bars / seconds}))


if __name__ == "__main__":
    main()

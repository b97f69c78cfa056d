import Foundation

/// The trade journal read back from the ledger: every fill that closed (part of) a trade,
/// with its strategy, prices and realized P&L.
public struct TradeJournal {
    public enum Outcome: String, CaseIterable, Sendable {
        case win, loss, breakeven
    }

    public struct Filter: Sendable {
        public var strategy: String?
        public var symbol: String?
        public var from: Int64?
        public var to: Int64?
        public var outcome: Outcome?

        public init(strategy: String? = nil, symbol: String? = nil, from: Int64? = nil, to: Int64? = nil, outcome: Outcome? = nil) {
            self.strategy = strategy
            self.symbol = symbol
            self.from = from
            self.to = to
            self.outcome = outcome
        }
    }

    public struct Row: Equatable, Sendable {
        public let transactionID: Int64
        public let fitid: String
        public let postedNanoseconds: Int64
        public let strategy: String
        public let ticker: String
        public let side: String
        public let size: Decimal
        public let entryPrice: Decimal?
        public let exitPrice: Decimal?
        public let pnl: Money
        public let tradeUUID: String
        public let tags: [String]

        public var outcome: Outcome { pnl > .zero ? .win : (pnl < .zero ? .loss : .breakeven) }
    }

    public static func rows(_ ledger: Ledger, filter: Filter) throws -> [Row] {
        try ledger.transactions(from: filter.from, to: filter.to).compactMap { posted -> Row? in
            let t = posted.transaction, a = t.audit
            guard t.kind == .fill, let pnl = a.pnl, let ticker = a.ticker else { return nil }
            let row = Row(transactionID: posted.id, fitid: posted.fitid, postedNanoseconds: t.postedNanoseconds,
                          strategy: a.strategy ?? "", ticker: ticker, side: a.side ?? "", size: a.size ?? 0,
                          entryPrice: a.entryPrice, exitPrice: a.exitPrice, pnl: pnl, tradeUUID: a.tradeUUID ?? "", tags: a.tags)
            if let strategy = filter.strategy, row.strategy != strategy { return nil }
            if let symbol = filter.symbol, row.ticker != symbol { return nil }
            if let outcome = filter.outcome, row.outcome != outcome { return nil }
            return row
        }
    }
}

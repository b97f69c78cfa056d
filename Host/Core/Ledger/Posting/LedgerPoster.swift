import Foundation

/// Turns what happens in a session into balanced ledger transactions: the opening balance,
/// each fill, each fee and each slippage. One fill is one commit, made right after the
/// broker acknowledged it, so a crash loses at most what reconciliation recovers.
public final class LedgerPoster {
    public let ledger: Ledger
    /// The broker's code in account names (BROKER_CODE), e.g. "PAPER".
    public let brokerCode: String
    /// The broker plugin id, recorded in the audit fields.
    public let brokerID: String

    public init(ledger: Ledger, brokerCode: String, brokerID: String) throws {
        self.ledger = ledger
        self.brokerCode = brokerCode
        self.brokerID = brokerID
        try ledger.ensureAccounts(ChartOfAccounts.brokerAccounts(brokerCode))
    }

    /// What the host knew when it decided on the order a fill belongs to.
    public struct FillContext: Sendable {
        public var strategy: String
        /// The strategy bot and its module, when the trade runs under the budgets.
        public var bot: String?
        public var module: String?
        /// The price the decision assumed; the difference to the fill price is slippage.
        public var expectedPrice: Double?
        public var tags: [String]
        /// Ranked candidates rejected before this entry was sent; nil for exits.
        public var fallbackLevel: Int?

        public init(strategy: String, bot: String? = nil, module: String? = nil, expectedPrice: Double? = nil, tags: [String] = [],
                    fallbackLevel: Int? = nil) {
            self.strategy = strategy
            self.bot = bot
            self.module = module
            self.expectedPrice = expectedPrice
            self.tags = tags
            self.fallbackLevel = fallbackLevel
        }
    }

    /// Posts the broker's opening cash once, into an empty ledger. Returns nil when the
    /// ledger already has transactions (a later session continues the same books).
    @discardableResult
    public func postOpeningBalance(_ cash: Money, at nanoseconds: Int64) throws -> PostedTransaction? {
        guard try ledger.transactions().isEmpty, cash != .zero else { return nil }
        return try ledger.post(NewTransaction(
            kind: .openingBalance, type: .credit, postedNanoseconds: nanoseconds, memo: "opening balance at \(brokerID)",
            audit: TransactionAudit(broker: brokerID),
            entries: [.debit(ChartOfAccounts.brokerCash(brokerCode), cash), .credit(ChartOfAccounts.openingBalance, cash)]))
    }

    /// The fill, its fee and its slippage, each one balanced transaction, in one commit, with
    /// the budget settlement of a trade the fill closed when there is one.
    @discardableResult
    public func post(fill: BrokerFill, outcome: PositionBook.Outcome, context: FillContext, book: inout PositionBook,
                     at nanoseconds: Int64, settlement: BudgetSettlement? = nil) throws -> [PostedTransaction] {
        var transactions = [fillTransaction(fill, outcome, context, nanoseconds)]
        let audit = audit(fill, outcome, context, pnl: nil)
        if fill.fee > .zero {
            transactions.append(NewTransaction(
                kind: .fee, type: .fee, postedNanoseconds: nanoseconds, memo: "fee on \(fill.side?.rawValue ?? "") \(fill.symbol)",
                audit: audit, entries: [.debit(ChartOfAccounts.brokerFees(brokerCode), fill.fee),
                                        .credit(ChartOfAccounts.brokerCash(brokerCode), fill.fee)]))
        }
        if let expected = context.expectedPrice, expected > 0 {
            transactions += slippageTransactions(fill, outcome, expected: expected, audit: audit, book: &book, at: nanoseconds)
        }
        guard let settlement else { return try ledger.post(transactions) }
        return try ledger.post(transactions + settlement.transactions, alongside: settlement.state)
    }

    private func fillTransaction(_ fill: BrokerFill, _ outcome: PositionBook.Outcome, _ context: FillContext,
                                 _ nanoseconds: Int64) -> NewTransaction {
        let cash = ChartOfAccounts.brokerCash(brokerCode), positions = ChartOfAccounts.brokerPositions(brokerCode)
        var entries: [LedgerEntry] = []
        // Cash moves by the whole fill value; positions take the opened part at value and give
        // up the closed part at book; the difference is the realized gain or loss.
        entries.append(fill.side == .sell ? .debit(cash, outcome.value) : .credit(cash, outcome.value))
        if outcome.openedValue != .zero {
            entries.append(fill.side == .sell ? .credit(positions, outcome.openedValue) : .debit(positions, outcome.openedValue))
        }
        if outcome.closedBook != .zero { entries.append(.credit(positions, outcome.closedBook)) }
        if let realized = outcome.realized, realized != .zero {
            entries.append(.credit(ChartOfAccounts.realizedGains(brokerCode), realized))
        }
        let verb = fill.side == .sell ? "sell" : "buy"
        return NewTransaction(
            kind: .fill, type: fill.side == .sell ? .sell : .buy, postedNanoseconds: nanoseconds,
            memo: "\(verb) \(fill.quantity) \(fill.symbol) @ \(Self.priceText(fill.price))",
            audit: audit(fill, outcome, context, pnl: outcome.realized), entries: merged(entries))
    }

    /// Slippage against the decision price: on the opening part it leaves the position's book
    /// (booked at the expected price), on the closing part it comes out of the realized gain.
    private func slippageTransactions(_ fill: BrokerFill, _ outcome: PositionBook.Outcome, expected: Double,
                                      audit: TransactionAudit, book: inout PositionBook, at nanoseconds: Int64) -> [NewTransaction] {
        let adverse: (Quantity, Money) -> Money = { quantity, actual in
            let planned = Money.value(of: quantity, at: expected)
            return fill.side == .buy ? actual - planned : planned - actual
        }
        var result: [NewTransaction] = []
        // Made only for a fill that has slippage to post.
        lazy var memo = "slippage on \(fill.side?.rawValue ?? "") \(fill.symbol): filled \(Self.priceText(fill.price)), expected \(Self.priceText(expected))"
        let expense = ChartOfAccounts.slippage(brokerCode)
        if outcome.openedQuantity > .zero {
            let amount = adverse(outcome.openedQuantity, outcome.openedValue)
            if amount != .zero {
                book.reclassSlippage(symbol: fill.symbol, amount: amount)
                result.append(NewTransaction(kind: .slippage, type: .other, postedNanoseconds: nanoseconds, memo: memo, audit: audit,
                                             entries: [.debit(expense, amount), .credit(ChartOfAccounts.brokerPositions(brokerCode), amount)]))
            }
        }
        if outcome.closedQuantity > .zero {
            let amount = adverse(outcome.closedQuantity, outcome.closedValue)
            if amount != .zero {
                book.recordClosingSlippage(amount)
                result.append(NewTransaction(kind: .slippage, type: .other, postedNanoseconds: nanoseconds, memo: memo, audit: audit,
                                             entries: [.debit(expense, amount), .credit(ChartOfAccounts.realizedGains(brokerCode), amount)]))
            }
        }
        return result
    }

    private func audit(_ fill: BrokerFill, _ outcome: PositionBook.Outcome, _ context: FillContext, pnl: Money?) -> TransactionAudit {
        TransactionAudit(
            broker: brokerID, strategy: context.strategy, module: context.module, bot: context.bot, ticker: fill.symbol,
            side: fill.side?.rawValue.lowercased(), size: fill.quantity.decimal,
            entryPrice: outcome.entryPrice ?? DecimalText.fromPrice(fill.price),
            exitPrice: outcome.closedQuantity > .zero ? DecimalText.fromPrice(fill.price) : nil,
            pnl: pnl, tradeUUID: outcome.tradeUUID, brokerConfirmation: fill.fillID,
            tags: context.tags, errorCode: nil)
    }

    /// A price as the memos print it: the text of DecimalText.fromPrice.
    private static func priceText(_ price: Double) -> String { DecimalText.description(DecimalText.fromPrice(price)) }

    /// One entry per account: a fill that both closes and opens touches positions twice.
    /// Accounts keep the order they first appear in; a few entries need no dictionary.
    private func merged(_ entries: [LedgerEntry]) -> [LedgerEntry] {
        var sums: [LedgerEntry] = []
        for entry in entries {
            if let index = sums.firstIndex(where: { $0.account == entry.account }) {
                sums[index] = LedgerEntry(account: entry.account, amount: sums[index].amount + entry.amount)
            } else {
                sums.append(entry)
            }
        }
        return sums.filter { $0.amount != .zero }
    }
}

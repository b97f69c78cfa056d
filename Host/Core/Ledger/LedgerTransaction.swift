import Foundation

/// What a transaction records. Each is one balanced transaction.
public enum TransactionKind: String, Sendable, Codable, CaseIterable {
    case fill
    case fee
    case slippage
    case allocation
    case reserveTransfer = "reserve_transfer"
    case reinvestment
    /// A losing trade's result charged to its bot's budget.
    case budgetLoss = "budget_loss"
    case openingBalance = "opening_balance"
    case reversal
}

/// OFX TRNTYPE values the ledger uses (OFX 2.x banking transaction types).
public enum OFXTransactionType: String, Sendable, Codable, CaseIterable {
    case buy = "BUY", sell = "SELL", fee = "FEE", transfer = "XFER", credit = "CREDIT", debit = "DEBIT", other = "OTHER"

    /// The type of the transaction that undoes one of this type (cash moves the other way).
    public var reversed: OFXTransactionType {
        switch self {
        case .buy: .sell
        case .sell: .buy
        case .credit: .debit
        case .debit, .fee: .credit
        case .transfer, .other: self
        }
    }
}

/// One line of a transaction. Positive amounts are debits, negative amounts credits;
/// amounts are Money, stored as integers of 1/10000 of the currency.
public struct LedgerEntry: Equatable, Sendable {
    public let account: String
    public let amount: Money

    public init(account: String, amount: Money) {
        self.account = account
        self.amount = amount
    }

    public static func debit(_ account: String, _ amount: Money) -> LedgerEntry { LedgerEntry(account: account, amount: amount) }
    public static func credit(_ account: String, _ amount: Money) -> LedgerEntry { LedgerEntry(account: account, amount: -amount) }
}

/// The audit fields every transaction carries (the seed's required trade fields).
public struct TransactionAudit: Equatable, Sendable {
    public var broker: String?
    public var strategy: String?
    public var module: String?
    public var bot: String?
    public var ticker: String?
    public var side: String?
    public var size: Decimal?
    public var entryPrice: Decimal?
    public var exitPrice: Decimal?
    public var pnl: Money?
    public var tradeUUID: String?
    public var brokerConfirmation: String?
    public var tags: [String]
    public var errorCode: String?

    public init(broker: String? = nil, strategy: String? = nil, module: String? = nil, bot: String? = nil,
                ticker: String? = nil, side: String? = nil, size: Decimal? = nil, entryPrice: Decimal? = nil,
                exitPrice: Decimal? = nil, pnl: Money? = nil, tradeUUID: String? = nil,
                brokerConfirmation: String? = nil, tags: [String] = [], errorCode: String? = nil) {
        self.broker = broker
        self.strategy = strategy
        self.module = module
        self.bot = bot
        self.ticker = ticker
        self.side = side
        self.size = size
        self.entryPrice = entryPrice
        self.exitPrice = exitPrice
        self.pnl = pnl
        self.tradeUUID = tradeUUID
        self.brokerConfirmation = brokerConfirmation
        self.tags = tags
        self.errorCode = errorCode
    }
}

/// A transaction to post.
public struct NewTransaction: Equatable, Sendable {
    public var kind: TransactionKind
    public var type: OFXTransactionType
    /// DTPOSTED: host clock, UTC nanoseconds.
    public var postedNanoseconds: Int64
    public var memo: String
    public var audit: TransactionAudit
    public var entries: [LedgerEntry]
    /// For a reversal: the id of the transaction it cancels.
    public var reverses: Int64?

    public init(kind: TransactionKind, type: OFXTransactionType, postedNanoseconds: Int64, memo: String,
                audit: TransactionAudit = TransactionAudit(), entries: [LedgerEntry], reverses: Int64? = nil) {
        self.kind = kind
        self.type = type
        self.postedNanoseconds = postedNanoseconds
        self.memo = memo
        self.audit = audit
        self.entries = entries
        self.reverses = reverses
    }

    /// Total debits (the sum of positive entries).
    public var debits: Money { entries.filter { $0.amount > .zero }.reduce(.zero) { $0 + $1.amount } }
    public var credits: Money { entries.filter { $0.amount < .zero }.reduce(.zero) { $0 - $1.amount } }
}

/// A transaction as stored: the new transaction plus what posting gave it.
public struct PostedTransaction: Equatable, Sendable {
    public let id: Int64
    public let fitid: String
    public let mode: LedgerMode
    public let hash: String
    public let transaction: NewTransaction
}

/// The five account types of double-entry bookkeeping.
public enum AccountType: String, Sendable, Codable, CaseIterable {
    case asset, liability, equity, income, expense
}

/// One account of the chart. Codes are colon-separated paths, as hledger names them.
public struct LedgerAccount: Equatable, Sendable, Codable {
    public let code: String
    public let type: AccountType
    public let name: String

    public init(code: String, type: AccountType, name: String) {
        self.code = code
        self.type = type
        self.name = name
    }
}

/// The chart of accounts from the seed's ledger architecture, extended for the budget
/// hierarchy. Accounts are data: the ledger stores them, and broker, module and bot
/// accounts are added as those appear.
public enum ChartOfAccounts {
    public static let reserveCash = "Assets:Reserve:Cash"
    /// The account's capital under budget: a contra asset whose credit balance equals the
    /// reserve plus every module and bot budget. The budget accounts earmark capital without
    /// moving money, so together they net to zero and the broker accounts stay the real assets.
    public static let accountCapital = "Assets:Capital"
    static let accountCapitalName = "Account capital under budget (contra: reserve, module and bot budgets)"
    public static let capitalFloat = "Equity:CapitalFloat"
    public static let openingBalance = "Equity:OpeningBalance"

    /// Accounts every ledger has from its first migration.
    public static let standard: [LedgerAccount] = [
        LedgerAccount(code: reserveCash, type: .asset, name: "Reserve cash (not allocated to any module)"),
        LedgerAccount(code: capitalFloat, type: .equity, name: "Capital float injected into the bot"),
        LedgerAccount(code: openingBalance, type: .equity, name: "Opening balance"),
    ]

    public static func brokerCash(_ broker: String) -> String { "Assets:Brokers:\(broker):Cash" }
    public static func brokerPositions(_ broker: String) -> String { "Assets:Brokers:\(broker):Positions" }
    public static func realizedGains(_ broker: String) -> String { "Income:RealizedGains:\(broker)" }
    public static func brokerFees(_ broker: String) -> String { "Expenses:BrokerFees:\(broker)" }
    public static func slippage(_ broker: String) -> String { "Expenses:Slippage:\(broker)" }
    public static func module(_ module: String) -> String { "Assets:Budgets:\(module)" }
    public static func bot(module: String, bot: String) -> String { "Assets:Budgets:\(module):\(bot)" }

    /// The accounts one broker's trading needs.
    public static func brokerAccounts(_ broker: String) -> [LedgerAccount] {
        [
            LedgerAccount(code: brokerCash(broker), type: .asset, name: "\(broker) cash"),
            LedgerAccount(code: brokerPositions(broker), type: .asset, name: "\(broker) positions at cost"),
            LedgerAccount(code: realizedGains(broker), type: .income, name: "Realized gains at \(broker)"),
            LedgerAccount(code: brokerFees(broker), type: .expense, name: "Broker fees at \(broker)"),
            LedgerAccount(code: slippage(broker), type: .expense, name: "Slippage and execution losses at \(broker)"),
        ]
    }

    /// Budget sub-accounts of one module and its strategy bots.
    public static func budgetAccounts(module id: String, bots: [String]) -> [LedgerAccount] {
        [LedgerAccount(code: module(id), type: .asset, name: "Budget of module \(id)")]
            + bots.map { LedgerAccount(code: bot(module: id, bot: $0), type: .asset, name: "Budget of bot \($0) in \(id)") }
    }
}

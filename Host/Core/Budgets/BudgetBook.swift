import Foundation
import GRDB

/// The budget hierarchy of one ledger: the declared plan, its state tables and its ledger
/// accounts. Amounts are never stored as state: a budget is its ledger account's balance,
/// kept in memory from the postings this process makes and re-read when another process
/// (an operator's command) has written the file.
public final class BudgetBook {
    public let ledger: Ledger
    public private(set) var plan: BudgetPlan
    public let supervisor: CompoundingSupervisor

    private(set) var account: AccountState?
    private(set) var modules: [String: ModuleState] = [:]
    private(set) var bots: [String: BotState] = [:]
    private var balances: [String: Money] = [:]
    /// SQLite's data_version when the cache was filled: it changes when another connection commits.
    private var dataVersion: Int64 = -1
    /// Moves on every read-back and every write this process makes: a session skips its
    /// once-a-minute look at approvals and notifications while it stays the same.
    public private(set) var revision = 0
    /// Approvals still pending or approved: they expire with time, so a session keeps looking.
    public private(set) var openApprovals = 0
    /// A sole writer's net trade results of one UTC day per module, kept up to date by its own
    /// settlements instead of summed from the file on each one; valid while `statements` have
    /// inserted `trades` trades. Nil: read them.
    private var dayResults: (day: Int64, byModule: [String: Money], trades: Int)?
    /// A sole writer's latest trade close on file before it inserted any (Int64.min: none).
    private var latestTradeOnFile: Int64?
    /// Prepared on the first write of budget records, on the ledger's one connection.
    private var prepared: BudgetStatements?
    /// A sole writer's answer to `events(after:)` that found nothing past `id`, valid while no
    /// event was inserted since: the session asks after every entry check and every fill.
    private var noEventsAfter: (id: Int64, inserted: Int)?

    public init(ledger: Ledger, plan: BudgetPlan) throws {
        self.ledger = ledger
        self.plan = plan
        supervisor = CompoundingSupervisor(policy: plan.account.supervisor)
        try reload()
    }

    /// Replaces the declared plan (after an operator edited the manifests); call synchronize next.
    func replace(plan: BudgetPlan) { self.plan = plan }

    // MARK: Amounts

    public var accountCapital: Money { -(balances[ChartOfAccounts.accountCapital] ?? .zero) }
    public var reserve: Money { balances[ChartOfAccounts.reserveCash] ?? .zero }

    /// A bot's current budget: its ledger account's balance.
    public func budget(bot id: String) -> Money {
        guard let bot = bots[id] else { return .zero }
        return balances[ChartOfAccounts.bot(module: bot.module, bot: id)] ?? .zero
    }

    /// The module's unassigned part (its own account, without its bots).
    public func unassigned(module id: String) -> Money { balances[ChartOfAccounts.module(id)] ?? .zero }

    /// Sum of the current budgets of the module's bots.
    public func botBudgets(module id: String) -> Money {
        bots.values.filter { $0.module == id && !$0.retired }.reduce(.zero) { $0 + budget(bot: $1.id) }
    }

    /// The module's capital in the ledger: its unassigned part plus its bots.
    public func capital(module id: String) -> Money { unassigned(module: id) + botBudgets(module: id) }

    public func botState(_ id: String) -> BotState? { bots[id] }
    public func moduleState(_ id: String) -> ModuleState? { modules[id] }
    public var accountState: AccountState? { account }

    /// Reserve plus every module and bot budget, and the account capital they must equal.
    public func invariant() throws -> (parts: Money, capital: Money) {
        let rows = try ledger.trialBalance()
        var parts = Money.zero, capital = Money.zero
        for (account, balance) in rows {
            if account.code == ChartOfAccounts.reserveCash || account.code.hasPrefix("Assets:Budgets:") { parts = parts + balance }
            if account.code == ChartOfAccounts.accountCapital { capital = -balance }
        }
        return (parts, capital)
    }

    // MARK: Cache

    /// Re-reads state and balances when another connection has committed since the last read.
    /// A sole writer's file has no other connection (and SQLite's data_version counts only theirs).
    func refreshIfChanged() throws {
        if ledger.soleWriter { return }
        let version = try ledger.read { db in try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0 }
        if version != dataVersion { try reload() }
    }

    func reload() throws {
        dayResults = nil
        try load(balancesToo: true)
    }

    /// Net results of the trades closed in the UTC day starting at `day`, per module.
    func results(day: Int64) throws -> [String: Money] {
        let read = { try self.ledger.read { try BudgetStore.results($0, from: day, to: day + 86_400_000_000_000) } }
        guard ledger.soleWriter else { return try read() }
        let trades = prepared?.tradesInserted ?? 0
        if let dayResults, dayResults.day == day, dayResults.trades == trades { return dayResults.byModule }
        // A sole writer's trades come from its own settlements: a day that begins after every
        // trade on file and every trade it inserted has none yet.
        let onFile = try latestTradeOnFile ?? ledger.read { try BudgetStore.latestTradeClose($0) } ?? .min
        latestTradeOnFile = onFile
        let results = day > max(onFile, prepared?.latestTradeClosed ?? .min) ? [:] : try read()
        dayResults = (day, results, trades)
        return results
    }

    private func load(balancesToo: Bool) throws {
        let (version, account, modules, bots, open) = try ledger.read { db in
            (try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0, try BudgetStore.account(db),
             try BudgetStore.modules(db), try BudgetStore.bots(db), try BudgetStore.openApprovalCount(db))
        }
        openApprovals = open
        // Another connection committed since the last read: balances may have moved too.
        let fullReload = balancesToo || version != dataVersion
        revision += 1
        self.account = account
        self.modules = Dictionary(uniqueKeysWithValues: modules.map { ($0.id, $0) })
        self.bots = Dictionary(uniqueKeysWithValues: bots.map { ($0.id, $0) })
        if fullReload {
            let codes = [ChartOfAccounts.accountCapital, ChartOfAccounts.reserveCash]
                + modules.map { ChartOfAccounts.module($0.id) } + bots.map { ChartOfAccounts.bot(module: $0.module, bot: $0.id) }
            balances = try ledger.balances(of: codes)
        }
        dataVersion = version
    }

    /// Posts budget transactions with their state changes in one commit, then updates the cache.
    func commit(_ transactions: [NewTransaction], state: @escaping (Database) throws -> Void) throws {
        do {
            try ledger.post(transactions, alongside: state)
        } catch {
            try? reload()
            throw error
        }
        addToBalances(transactions)
        // State rows are re-read (in full when another process also wrote).
        if (try? load(balancesToo: false)) == nil { try? reload() }
    }

    private func addToBalances(_ transactions: [NewTransaction]) {
        for entry in transactions.flatMap(\.entries) where Self.isBudgetAccount(entry.account) {
            balances[entry.account, default: .zero] = balances[entry.account, default: .zero] + entry.amount
        }
    }

    /// After a settlement this process committed with a fill: balances move by the entries.
    func committed(_ settlement: BudgetSettlement) {
        addToBalances(settlement.transactions)
        // The records the commit wrote, as they would read back: no query per settled trade.
        bots[settlement.bot.id] = settlement.bot
        if let module = settlement.module { modules[module.id] = module }
        if let account = settlement.account { self.account = account }
        // The settlement inserted one trade: the day's results stay exact when they were just
        // before it, and take it in when it closed that day.
        if var results = dayResults, results.trades + 1 == prepared?.tradesInserted {
            let trade = settlement.trade
            if (results.day..<results.day + 86_400_000_000_000).contains(trade.closedNanoseconds) {
                results.byModule[trade.module, default: .zero] = results.byModule[trade.module, default: .zero] + trade.pnl
            }
            results.trades += 1
            dayResults = results
        }
        revision += 1
    }

    static func isBudgetAccount(_ code: String) -> Bool {
        code == ChartOfAccounts.accountCapital || code == ChartOfAccounts.reserveCash || code.hasPrefix("Assets:Budgets:")
    }

    /// Records that this process wrote records the cache does not hold (approvals, events).
    func noteWrite() {
        revision += 1
        openApprovals = (try? ledger.read { try BudgetStore.openApprovalCount($0) }) ?? openApprovals
    }

    /// Writes state only (no posting), then re-reads it.
    func writeState(_ body: (Database) throws -> Void) throws {
        try ledger.write { db in try body(db) }
        try load(balancesToo: false)
    }

    /// The budget records' statements for `db`, a connection of this book's ledger (inside a
    /// read or write on it).
    func statements(_ db: Database) throws -> BudgetStatements {
        if let prepared { return prepared }
        let statements = try BudgetStatements(db)
        prepared = statements
        return statements
    }

    // MARK: Records for reports

    public func decisions(bot: String) throws -> [SupervisorDecision] { try ledger.read { try BudgetStore.decisions($0, bot: bot) } }
    public func trades(bot: String? = nil) throws -> [BotTrade] { try ledger.read { try BudgetStore.trades($0, bot: bot) } }
    public func events(since: Int64 = .min) throws -> [BudgetEvent] { try ledger.read { try BudgetStore.events($0, since: since) } }
    public func events(after id: Int64) throws -> [BudgetEvent] {
        let inserted = prepared?.eventsInserted ?? 0
        if let noEventsAfter, noEventsAfter.inserted == inserted, id >= noEventsAfter.id { return [] }
        let events = try ledger.read { try statements($0).events(after: id) }
        // The newest event is the last: nothing lies past it until this book inserts another.
        if ledger.soleWriter { noEventsAfter = (events.last?.id ?? id, inserted) }
        return events
    }
    public func allModules() -> [ModuleState] { modules.values.sorted { $0.id < $1.id } }
    public func allBots() -> [BotState] { bots.values.sorted { ($0.module, $0.id) < ($1.module, $1.id) } }
}

import ArgumentParser
import Foundation
import TBotCore

struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Read, verify, export and restore the double-entry ledger.",
        subcommands: [LedgerBalance.self, LedgerAccounts.self, LedgerVerify.self, LedgerExport.self, LedgerHistory.self,
                      LedgerReconcile.self, LedgerRestore.self])
}

extension LedgerMode: ExpressibleByArgument {}

/// Which ledger a command reads: the config's identity, and its mode unless --mode says otherwise.
struct LedgerOptions: ParsableArguments {
    @OptionGroup var host: HostOptions
    @Option(help: "paper, live or backtest. Default: paper when TEST_MODE or FORCE_PAPER_EXPORT is true, else live.")
    var mode: LedgerMode?

    func layout() throws -> OutputLayout {
        let setup = try host.setup()
        return OutputLayout(config: setup.config, workingDirectory: FileManager.default.currentDirectoryPath, mode: mode)
    }

    /// Opens an existing ledger; a missing one is an error, never created by a reading command.
    func open() throws -> Ledger {
        let layout = try layout()
        do {
            return try Ledger(path: layout.ledgerFile.path, mode: layout.mode, identity: layout.identity, create: false)
        } catch {
            Console.error("\(error)")
            throw ExitCodes.failure
        }
    }
}

struct LedgerBalance: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "balance", abstract: "Trial balance: every account's balance; debits equal credits.")

    @OptionGroup var options: LedgerOptions
    @Flag(help: "Print JSON: accounts with exact decimal balances, and the totals.") var json = false

    func run() throws {
        let rows = try options.open().trialBalance()
        let debits = rows.filter { $0.balance > .zero }.reduce(Money.zero) { $0 + $1.balance }
        let credits = rows.filter { $0.balance < .zero }.reduce(Money.zero) { $0 - $1.balance }
        if json {
            struct Line: Encodable { let account: String; let type: String; let balance: String }
            struct Report: Encodable { let accounts: [Line]; let debits: String; let credits: String }
            print(try Console.json(Report(accounts: rows.map { Line(account: $0.account.code, type: $0.account.type.rawValue, balance: $0.balance.exactDescription) },
                                          debits: debits.exactDescription, credits: credits.exactDescription)))
            return
        }
        let width = rows.map(\.account.code.count).max() ?? 10
        for row in rows { print(row.account.code.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + row.balance.exactDescription) }
        print("debits \(debits.exactDescription), credits \(credits.exactDescription)")
    }
}

struct LedgerAccounts: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "accounts", abstract: "The chart of accounts.")

    @OptionGroup var options: LedgerOptions

    func run() throws {
        for account in try options.open().accounts() { print("\(account.code)  \(account.type.rawValue)  \(account.name)") }
    }
}

struct LedgerVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every transaction's balance, FITID uniqueness, accounts, reversals and the hash chain.")

    @OptionGroup var options: LedgerOptions
    @Option(help: "How many faults to list.") var limit = 20

    func run() throws {
        let ledger = try options.open()
        let faults = try ledger.verify()
        guard faults.isEmpty else {
            faults.prefix(limit).forEach { print("FAULT \($0)") }
            Console.error("\(ledger.path): \(faults.count) fault(s)")
            throw ExitCodes.failure
        }
        print("\(ledger.path): verified, \(try ledger.transactions().count) transactions")
    }
}

struct LedgerExport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export the ledger as an hledger journal, OFX, CSV or JSON.")

    @OptionGroup var options: LedgerOptions
    @Option(help: "hledger, ofx, csv or json.") var format: LedgerExportFormat
    @Option(help: "First day (YYYY-MM-DD, UTC) or instant (YYYY-MM-DDTHH:MM:SSZ).") var from: String?
    @Option(help: "Last day, inclusive (YYYY-MM-DD), or an exclusive instant.") var to: String?

    func run() throws {
        let range = try DateRange(from: from, to: to)
        print(try LedgerExporter.export(try options.open(), format: format, from: range.from, to: range.to), terminator: "")
    }
}

extension LedgerExportFormat: ExpressibleByArgument {}

struct LedgerHistory: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "The trade journal: closed trades from the ledger.")

    @OptionGroup var options: LedgerOptions
    @Option(help: "Only this strategy.") var strategy: String?
    @Option(help: "Only this symbol.") var symbol: String?
    @Option(help: "First day (YYYY-MM-DD, UTC).") var from: String?
    @Option(help: "Last day, inclusive (YYYY-MM-DD).") var to: String?
    @Option(help: "win, loss or breakeven.") var outcome: TradeJournal.Outcome?

    func run() throws {
        let range = try DateRange(from: from, to: to)
        let rows = try TradeJournal.rows(try options.open(), filter: .init(strategy: strategy, symbol: symbol, from: range.from, to: range.to, outcome: outcome))
        for row in rows {
            let price: (Decimal?) -> String = { $0.map { "\($0)" } ?? "-" }
            print([UTCTimestamp.iso8601(nanoseconds: row.postedNanoseconds), row.strategy, row.ticker, row.side, "\(row.size)",
                   price(row.entryPrice), price(row.exitPrice), row.pnl.exactDescription, row.outcome.rawValue, row.tradeUUID].joined(separator: "  "))
        }
        print("\(rows.count) trade(s), net \(rows.reduce(Money.zero) { $0 + $1.pnl }.exactDescription)")
    }
}

extension TradeJournal.Outcome: ExpressibleByArgument {}

struct LedgerRestore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace the ledger with a backup, after verifying the backup (the current ledger is backed up first).")

    @OptionGroup var options: LedgerOptions
    @Argument(help: "The backup file.") var file: String

    func run() throws {
        let layout = try options.layout()
        let previous: URL?
        do {
            previous = try LedgerBackup.restore(backup: URL(fileURLWithPath: file), layout: layout)
        } catch {
            Console.error("refusing to restore \(file): \(error)")
            throw ExitCodes.failure
        }
        print("restored \(layout.ledgerFile.path) from \(file)" + (previous.map { "; the previous ledger is saved as \($0.path)" } ?? ""))
    }
}

/// --from / --to on the command line, in UTC: a day, or an exact instant.
struct DateRange {
    let from: Int64?
    let to: Int64?

    init(from: String?, to: String?) throws {
        func parse(_ text: String, _ flag: String) throws -> Int64 {
            guard let value = UTCDate.nanoseconds(parsing: text) else {
                throw ValidationError("\(flag) '\(text)' is not a date (YYYY-MM-DD) or an instant (YYYY-MM-DDTHH:MM:SSZ), UTC")
            }
            return value
        }
        self.from = try from.map { try parse($0, "--from") }
        // A bare day is inclusive: up to the next midnight.
        self.to = try to.map { try parse($0, "--to") + ($0.count == 10 ? 86_400_000_000_000 : 0) }
    }
}

struct LedgerReconcile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Post every fill the broker acknowledged that the ledger lacks (after a crash), then compare positions.")

    @OptionGroup var options: LedgerOptions
    @Option(help: "Broker plugin id.") var broker = "paper_broker"

    func run() throws {
        let setup = try options.host.setup()
        let layout = try options.layout()
        // Recovered fills are dated by the broker's own fill time (a replay's simulated time too).
        let clock = SystemClock()
        let catalog = setup.catalog(environment: setup.environment(clock: clock, logLevel: .warning))
        guard let instance = catalog.entry(id: broker)?.instance, let plugin = BrokerPlugin(instance) else {
            Console.error("broker \(broker) is not loaded: \(catalog.entry(id: broker)?.reason ?? "no such plugin")")
            throw ExitCodes.failure
        }
        let ledger = try options.open()
        let poster = try LedgerPoster(ledger: ledger, brokerCode: layout.identity.broker, brokerID: plugin.id)
        var book = try LedgerBookLoader.book(from: ledger, brokerCode: layout.identity.broker, brokerID: plugin.id,
                                             uuidNamespace: "\(layout.identity.stem)|\(layout.mode.rawValue)")
        // A recovered closing fill settles into the budgets too, when the books have them.
        var budgets: BudgetBook?
        if case .success(let plan) = BudgetPlan.load(manifestsDirectory: setup.manifestsDirectory) {
            budgets = try BudgetBook(ledger: ledger, plan: plan)
            if budgets?.accountState == nil { budgets = nil }
        }
        let report = try LedgerReconciler.reconcile(broker: plugin, poster: poster, book: &book,
                                                    at: try ledger.lastPostedNanoseconds(kind: .fill) ?? 0, budgets: budgets)
        report.recovered.forEach { print("recovered fill \($0)") }
        report.positionMismatches.forEach { print("MISMATCH \($0)") }
        print("\(report.recovered.count) fill(s) recovered, \(report.positionMismatches.count) position mismatch(es)")
        if !report.positionMismatches.isEmpty { throw ExitCodes.failure }
    }
}

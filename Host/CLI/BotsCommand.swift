import ArgumentParser
import Foundation
import TBotCore

struct BotsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bots",
        abstract: "Strategy bots: list, pause, resume, clone, and the supervisor's decisions.",
        subcommands: [BotsList.self, BotsPause.self, BotsResume.self, BotsClone.self, BotsDecisions.self])
}

struct BotsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Every bot with its module, status, budget and record.")

    @OptionGroup var options: BudgetOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let opened = try options.open()
        try operatorAction {
            let report = try BudgetReport(budgets: opened.budgets, book: opened.book, pendingApprovals: 0)
            let bots = report.modules.flatMap { module in module.bots.map { (module.id, $0) } }
            if json {
                struct Row: Encodable { let module: String; let bot: BudgetReport.Bot }
                print(try Console.snakeJSON(bots.map { Row(module: $0.0, bot: $0.1) }))
                return
            }
            let header = ["BOT", "MODULE", "STATUS", "MODE", "BUDGET", "INITIAL", "P&L", "TRADES", "WIN%", "MAXDD%"]
            let rows = bots.map { module, bot in
                [bot.id, module, bot.status, bot.compounded ? "compounded" : "to-reserve", bot.currentBudget, bot.initialBudget,
                 bot.pnl, "\(bot.trades)", bot.winRate ?? "n/a", bot.maxDrawdown]
            }
            Table(header: header, rows: rows).lines().forEach { print($0) }
            for (_, bot) in bots where bot.statusReason != nil { print("\(bot.id): \(bot.statusReason!)") }
        }
    }
}

struct BotsPause: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause a bot: no new entries; exits still run.")

    @OptionGroup var options: BudgetOptions
    @Argument(help: "Bot id.") var bot: String

    func run() throws {
        let opened = try options.open()
        try operatorAction {
            try opened.budgets.pause(bot: bot, at: operatorNow)
            print("bot \(bot) paused")
        }
    }
}

struct BotsResume: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a paused bot (also one paused by the 50% rule).")

    @OptionGroup var options: BudgetOptions
    @Argument(help: "Bot id.") var bot: String

    func run() throws {
        let opened = try options.open()
        try operatorAction {
            try opened.budgets.resume(bot: bot, at: operatorNow)
            print("bot \(bot) resumed")
        }
    }
}

struct BotsClone: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clone",
        abstract: "Copy a bot's configuration under a new id in the same module.",
        discussion: "The copy is appended to the module's manifest; its budget comes from the module's unassigned part.")

    @OptionGroup var options: BudgetOptions
    @Argument(help: "Bot to copy.") var source: String
    @Argument(help: "Id of the new bot (a-z, 0-9, _).") var newID: String
    @Option(help: "Initial budget of the copy (default: the source's initial budget).") var budget: String?

    func run() throws {
        var amount: Money?
        if let budget {
            guard let parsed = Money(text: budget), parsed > .zero else {
                Console.error("--budget '\(budget)': expected an amount above zero such as 5000.00")
                throw ExitCode(64)
            }
            amount = parsed
        }
        let opened = try options.open()
        try operatorAction {
            let lines = try opened.budgets.clone(bot: source, as: newID, budget: amount, manifestsDirectory: opened.manifestsDirectory,
                                                 at: operatorNow)
            lines.forEach { print($0) }
            print("bot \(newID) cloned from \(source); it trades from the next session")
        }
    }
}

struct BotsDecisions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decisions", abstract: "The supervisor's decision log of one bot: every settled trade and each check.")

    @OptionGroup var options: BudgetOptions
    @Argument(help: "Bot id.") var bot: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let opened = try options.open()
        try operatorAction {
            guard opened.budgets.botState(bot) != nil else { throw BudgetError.unknownBot(bot) }
            let decisions = try opened.budgets.decisions(bot: bot)
            if json {
                print(try Console.snakeJSON(decisions.map(DecisionRow.init)))
                return
            }
            if decisions.isEmpty { print("bot \(bot): no decisions yet") }
            for d in decisions {
                print("\(UTCTimestamp.iso8601(nanoseconds: d.decidedNanoseconds)) \(d.kind.rawValue) pnl \(d.tradePnl.exactDescription) "
                    + "reinvested \(d.reinvested.exactDescription) to reserve \(d.toReserve.exactDescription) "
                    + "budget \(d.budgetBefore.exactDescription) -> \(d.budgetAfter.exactDescription)")
                print("  \(d.reason)")
                for check in d.checks { print("  \(check.result == .passed ? "pass" : check.result == .failed ? "FAIL" : "skip") \(check.line)") }
            }
        }
    }

    struct DecisionRow: Encodable {
        let id: Int64?
        let time: String
        let decision: String
        let tradeUuid: String?
        let tradePnl: String
        let reinvested: String
        let toReserve: String
        let budgetBefore: String
        let budgetAfter: String
        let reason: String
        let checks: [SupervisorCheck]

        init(_ d: SupervisorDecision) {
            id = d.id
            time = UTCTimestamp.iso8601(nanoseconds: d.decidedNanoseconds)
            decision = d.kind.rawValue
            tradeUuid = d.tradeUUID
            tradePnl = d.tradePnl.exactDescription
            reinvested = d.reinvested.exactDescription
            toReserve = d.toReserve.exactDescription
            budgetBefore = d.budgetBefore.exactDescription
            budgetAfter = d.budgetAfter.exactDescription
            reason = d.reason
            checks = d.checks
        }
    }
}

/// Left-aligned columns separated by two spaces.
struct Table {
    let header: [String]
    let rows: [[String]]

    func lines() -> [String] {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }
}

import ArgumentParser
import Foundation
import TBotCore

struct BudgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "The budget hierarchy: the aggregated view, reallocation, pausing modules.",
        subcommands: [BudgetShow.self, BudgetReallocate.self, BudgetPause.self, BudgetResume.self])
}

struct BudgetShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "NAV, P&L, reserve, and per module and bot: budget, used, P&L, positions, win rate.")

    @OptionGroup var options: BudgetOptions
    @Flag(help: "Print one JSON object (snake_case keys, exact decimal amounts).") var json = false

    func run() throws {
        let opened = try options.open()
        try operatorAction {
            let pending = try opened.budgets.approvals(states: [.pending]).count
            let report = try BudgetReport(budgets: opened.budgets, book: opened.book, pendingApprovals: pending)
            if json {
                print(try Console.snakeJSON(report))
            } else {
                BudgetView(report: report, terminal: Console.isTerminal).lines().forEach { print($0) }
            }
        }
    }
}

struct BudgetReallocate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reallocate",
        abstract: "Set module budgets; the reserve takes the difference. Open positions are not touched.",
        discussion: """
            Writes the new budgets into the strategy manifests and reserve_cash into account.toml, validates the \
            whole plan, and posts each change to the ledger as a transfer. Refused, with nothing changed, when the \
            plan would not validate (for example a budget below what its bots hold, or a negative reserve).
            """)

    @OptionGroup var options: BudgetOptions
    @Argument(help: ArgumentHelp("New budgets, e.g. sma_cross_c=45000.00", valueName: "module=amount")) var changes: [String]

    func run() throws {
        var parsed: [String: Money] = [:]
        for change in changes {
            let parts = change.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let amount = Money(text: parts[1]), amount >= .zero else {
                Console.error("'\(change)': expected MODULE=AMOUNT with a non-negative amount such as sma_cross_c=45000.00")
                throw ExitCode(64)
            }
            parsed[parts[0]] = amount
        }
        let opened = try options.open()
        try operatorAction {
            let lines = try opened.budgets.reallocate(parsed, manifestsDirectory: opened.manifestsDirectory,
                                                      holdingBots: BudgetOptions.holdingBots(opened.book), at: operatorNow)
            if lines.isEmpty { print("nothing to change") }
            lines.forEach { print($0) }
            print("reserve \(opened.budgets.reserve.exactDescription); new trades use the new budgets")
        }
    }
}

struct BudgetPause: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause a module: no new entries; exits still run.")

    @OptionGroup var options: BudgetOptions
    @Argument(help: "Module (strategy plugin) id.") var module: String

    func run() throws {
        let opened = try options.open()
        try operatorAction {
            try opened.budgets.pause(module: module, at: operatorNow)
            print("module \(module) paused")
        }
    }
}

struct BudgetResume: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a paused module.")

    @OptionGroup var options: BudgetOptions
    @Argument(help: "Module (strategy plugin) id.") var module: String

    func run() throws {
        let opened = try options.open()
        try operatorAction {
            try opened.budgets.resume(module: module, at: operatorNow)
            print("module \(module) resumed")
        }
    }
}

struct EmergencyStopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emergency-stop",
        abstract: "Pause the whole account: no new entries in any module until released.",
        discussion: """
            A running session sees the stop within a minute of host time and closes the largest open positions \
            (close_riskiest_on_emergency in account.toml). Exits and stops of open positions keep running.
            """)

    @OptionGroup var options: BudgetOptions
    @Option(help: "Why, recorded with the stop.") var reason = "by the operator"
    @Flag(help: "Release the stop instead.") var release = false

    func run() throws {
        let opened = try options.open()
        try operatorAction {
            if release {
                try opened.budgets.releaseEmergencyStop(at: operatorNow)
                print("emergency stop released")
            } else {
                try opened.budgets.emergencyStop(reason: reason, at: operatorNow)
                print("emergency stop: every module paused (\(reason))")
            }
        }
    }
}

import ArgumentParser
import Foundation
import TBotCore

struct RiskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk", abstract: "Explain the risk engine's decisions and show the limits in force.",
        subcommands: [RiskExplain.self, RiskLimitsCommand.self])
}

/// Opens the risk records of a mode's ledger; missing books are an error, never created.
private func journal(_ options: LedgerOptions) throws -> RiskJournal {
    try RiskJournal(ledger: try options.open())
}

struct RiskExplain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Every rule the risk engine evaluated, with its inputs and result, for the last session or one decision.")

    @OptionGroup var options: LedgerOptions
    @Option(help: "Show only this decision (its id is printed as #N).") var decision: Int64?
    @Option(help: "Show only decisions about this symbol.") var symbol: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let records = try journal(options)
        var decisions: [RiskDecision]
        if let decision {
            guard let found = try records.decision(id: decision) else {
                Console.error("no risk decision #\(decision) in \(try options.layout().ledgerFile.path)")
                throw ExitCodes.failure
            }
            decisions = [found]
        } else {
            decisions = try records.decisions()
        }
        if let symbol { decisions = decisions.filter { $0.symbol == symbol.uppercased() || $0.intentSymbol == symbol.uppercased() } }
        if json { return print(try Console.snakeJSON(decisions.map(ExplainedDecision.init))) }
        guard let first = decisions.first else { return print("no risk decisions recorded yet") }
        let approved = decisions.filter { $0.outcome == .approved }.count
        print("session \(first.session) from \(UTCTimestamp.iso8601(nanoseconds: first.sessionStartNanoseconds)): \(decisions.count) decision(s), "
            + "\(approved) approved, \(decisions.count - approved) rejected")
        for d in decisions {
            let target = d.symbol == d.intentSymbol ? d.symbol : "\(d.intentSymbol)->\(d.symbol)"
            let verdict = d.outcome == .approved ? "APPROVED" : "REJECTED \(d.code?.rawValue ?? "")"
            print("#\(d.id ?? 0) \(UTCTimestamp.iso8601(nanoseconds: d.decidedNanoseconds)) bot \(d.bot) broker \(d.broker) \(d.side.rawValue) \(target) "
                + "rank \(d.poolRank) fallback \(d.fallbackLevel)\(d.defense ? " DEFENSE_MODE_ACTIVE" : ""): \(verdict): \(d.sentence)")
            let width = d.checks.map(\.rule.count).max() ?? 0
            for check in d.checks {
                let result = check.passed ? "pass" : "FAIL \(check.code?.rawValue ?? "")"
                print("  \(check.rule.padding(toLength: width, withPad: " ", startingAt: 0))  \(result): \(check.detail)")
            }
        }
    }

    /// The JSON shape of one decision: money and quantities as exact decimal text.
    struct ExplainedDecision: Encodable {
        let id: Int64?
        let decidedAt: String
        let session: String
        let broker: String
        let bot: String
        let intentSymbol: String
        let symbol: String
        let side: String
        let poolRank: Int
        let fallbackLevel: Int
        let outcome: String
        let code: String?
        let sentence: String
        let quantity: String?
        let riskAmount: String?
        let defenseMode: Bool
        let checks: [RiskCheck]

        init(_ d: RiskDecision) {
            id = d.id
            decidedAt = UTCTimestamp.iso8601(nanoseconds: d.decidedNanoseconds)
            session = d.session
            broker = d.broker
            bot = d.bot
            intentSymbol = d.intentSymbol
            symbol = d.symbol
            side = d.side.rawValue
            poolRank = d.poolRank
            fallbackLevel = d.fallbackLevel
            outcome = d.outcome.rawValue
            code = d.code?.rawValue
            sentence = d.sentence
            quantity = d.quantity.map { "\($0)" }
            riskAmount = d.riskAmount?.exactDescription
            defenseMode = d.defense
            checks = d.checks
        }
    }
}

struct RiskLimitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limits", abstract: "The risk limits in force: normal, or reduced while Defense Mode is active.")

    @OptionGroup var options: LedgerOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let setup = try options.host.setup()
        let configured = RiskLimits(config: setup.config)
        // Defense Mode lives in the books; without books yet only the configuration can force it.
        let layout = try options.layout()
        var defense = DefenseState()
        var log: [DefenseLogEntry] = []
        if FileManager.default.fileExists(atPath: layout.ledgerFile.path) {
            let records = try journal(options)
            log = try records.defenseLog()
            defense = try DefenseMonitor.restore(journal: records)
        }
        let active = defense.active || configured.defense.forced
        let limits = configured.inForce(defense: active)
        if json {
            struct Report: Encodable {
                let mode: String
                let defenseModeActive: Bool
                let defenseSince: String?
                let defenseReasons: [String]
                let limits: [String: String]
            }
            return print(try Console.snakeJSON(Report(
                mode: active ? "defense" : "normal", defenseModeActive: active,
                defenseSince: defense.since.map { UTCTimestamp.iso8601(nanoseconds: $0) },
                defenseReasons: defense.active ? defense.reasons : (active ? ["DEFENSE_MODE_ACTIVE=true in the configuration"] : []),
                limits: Dictionary(uniqueKeysWithValues: limits.table.map { ($0.key, $0.value) }))))
        }
        if active {
            let since = defense.since.map { " since \(UTCTimestamp.iso8601(nanoseconds: $0))" } ?? ""
            let reasons = defense.active ? defense.reasons : ["DEFENSE_MODE_ACTIVE=true in the configuration"]
            print("Defense Mode ACTIVE\(since): \(reasons.joined(separator: "; "))")
        } else {
            print("normal limits (Defense Mode inactive)")
        }
        let normal = Dictionary(uniqueKeysWithValues: configured.table.map { ($0.key, $0.value) })
        let width = limits.table.map(\.key.count).max() ?? 0
        for row in limits.table {
            let changed = normal[row.key] != row.value ? "  (normal \(normal[row.key] ?? ""))" : ""
            print("\(row.key.padding(toLength: width, withPad: " ", startingAt: 0))  \(row.value)\(changed)")
        }
        if let last = log.last {
            print("disaster log: \(log.count) entr\(log.count == 1 ? "y" : "ies"), last \(last.event.rawValue) at "
                + "\(UTCTimestamp.iso8601(nanoseconds: last.atNanoseconds)): \(last.reasons.joined(separator: "; "))")
        }
    }
}

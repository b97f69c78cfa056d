import ArgumentParser
import Foundation
import TBotCore

struct ApprovalsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approvals",
        abstract: "Sized orders of bots or modules without autotrade, waiting for an operator.",
        discussion: """
            An approved order is sent by the running (or next) session if it is still in time by the session's \
            clock and still fits the budgets; otherwise it is recorded as expired or rejected.
            """,
        subcommands: [ApprovalsList.self, ApprovalsApprove.self, ApprovalsReject.self])
}

struct ApprovalsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Pending approvals (--all: every one ever queued).")

    @OptionGroup var options: BudgetOptions
    @Flag(help: "Every approval, whatever its state.") var all = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let opened = try options.open()
        try operatorAction {
            let approvals = try opened.budgets.approvals(states: all ? nil : [.pending, .approved])
            let rows = approvals.map(ApprovalRow.init)
            if json { return print(try Console.snakeJSON(rows)) }
            if rows.isEmpty { return print(all ? "no approvals" : "no pending approvals") }
            let header = ["ID", "STATE", "BOT", "MODULE", "SIDE", "QTY", "SYMBOL", "ENTRY", "STOP", "BUYING_POWER", "RISK", "CREATED", "EXPIRES"]
            Table(header: header, rows: rows.map {
                ["\($0.id)", $0.state, $0.bot, $0.module, $0.side, $0.quantity, $0.symbol, $0.entryPrice, $0.stopPrice,
                 $0.buyingPower, $0.risk, $0.created, $0.expires]
            }).lines().forEach { print($0) }
        }
    }

    struct ApprovalRow: Encodable {
        let id: Int64, state: String, bot: String, module: String, side: String, quantity: String, symbol: String
        let entryPrice: String, stopPrice: String, buyingPower: String, risk: String, created: String, expires: String
        let decided: String?, note: String

        init(_ a: Approval) {
            id = a.id
            state = a.state.rawValue
            bot = a.bot
            module = a.module
            side = a.side.rawValue
            quantity = a.quantity.description
            symbol = a.symbol
            entryPrice = "\(a.entryPrice)"
            stopPrice = "\(a.stopPrice)"
            buyingPower = a.buyingPower.exactDescription
            risk = a.risk.exactDescription
            created = UTCTimestamp.iso8601(nanoseconds: a.createdNanoseconds)
            expires = UTCTimestamp.iso8601(nanoseconds: a.expiresNanoseconds)
            decided = a.decidedNanoseconds.map { UTCTimestamp.iso8601(nanoseconds: $0) }
            note = a.note
        }
    }
}

struct ApprovalsApprove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve a pending order.")

    @OptionGroup var options: BudgetOptions
    @Argument(help: "Approval id.") var id: Int64

    func run() throws {
        let opened = try options.open()
        try operatorAction {
            try opened.budgets.approve(id, at: operatorNow)
            print("approval \(id) approved; the session sends it if it is still in time and within budget")
        }
    }
}

struct ApprovalsReject: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Reject a pending or approved order.")

    @OptionGroup var options: BudgetOptions
    @Argument(help: "Approval id.") var id: Int64

    func run() throws {
        let opened = try options.open()
        try operatorAction {
            try opened.budgets.reject(id, at: operatorNow)
            print("approval \(id) rejected")
        }
    }
}

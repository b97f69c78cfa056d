import Foundation
import GRDB

/// Sized entries of bots or modules with autotrade off wait here, in the ledger file, until an
/// operator approves or rejects them or they expire. Expiry is judged by the session's clock,
/// so a replay decides the same way; an operator's decision is stamped with the CLI's clock.
extension BudgetBook {
    @discardableResult
    public func queueApproval(_ request: BudgetEntryRequest, explanation: String, at now: Int64) throws -> Approval {
        guard let bot = bots[request.bot] else { throw BudgetError.unknownBot(request.bot) }
        var approval = Approval(
            id: 0, createdNanoseconds: now, expiresNanoseconds: now + Int64(plan.account.approvalExpiryMinutes) * 60_000_000_000,
            bot: bot.id, module: bot.module, symbol: request.symbol, side: request.side, quantity: request.quantity,
            entryPrice: DecimalText.fromPrice(request.entryPrice), stopPrice: DecimalText.fromPrice(request.stopPrice),
            buyingPower: request.buyingPower, risk: request.risk, state: .pending, decidedNanoseconds: nil, note: explanation)
        let event = { (id: Int64) in
            BudgetEvent(atNanoseconds: now, level: .info, subject: bot.id, title: "Approval needed",
                        message: "approval \(id): \(request.side.rawValue) \(request.quantity) \(request.symbol) for bot \(bot.id) "
                            + "(buying power \(request.buyingPower.exactDescription), risk \(request.risk.exactDescription)); "
                            + "`tbot approvals approve \(id)` before \(UTCTimestamp.iso8601(nanoseconds: approval.expiresNanoseconds))")
        }
        approval.id = try ledger.write { db in
            let id = try BudgetStore.insert(approval, db)
            try statements(db).insert(event(id))
            return id
        }
        noteWrite()
        return approval
    }

    public func approvals(states: [ApprovalState]? = nil) throws -> [Approval] {
        try ledger.read { try BudgetStore.approvals($0, states: states) }
    }

    public func approve(_ id: Int64, at now: Int64) throws {
        try decide(id, from: [.pending], to: .approved, note: "approved by the operator", at: now)
    }

    public func reject(_ id: Int64, at now: Int64) throws {
        try decide(id, from: [.pending, .approved], to: .rejected, note: "rejected by the operator", at: now)
    }

    /// Pending or approved entries whose time ran out by `now` become expired (and are recorded).
    @discardableResult
    public func expireApprovals(at now: Int64) throws -> [Approval] {
        let due = try approvals(states: [.pending, .approved]).filter { $0.expiresNanoseconds <= now }
        guard !due.isEmpty else { return [] }
        try ledger.write { db in
            for approval in due where try BudgetStore.decide(approval.id, from: [.pending, .approved], to: .expired,
                                                              note: "expired unapproved", db, at: now) {
                try statements(db).insert(BudgetEvent(atNanoseconds: now, level: .info, subject: approval.bot, title: "Approval expired",
                    message: "approval \(approval.id): \(approval.symbol) for bot \(approval.bot) expired without a decision"))
            }
        }
        noteWrite()
        return due
    }

    /// Approved entries still in time, oldest first: the session sends them.
    public func approvedEntries(at now: Int64) throws -> [Approval] {
        try expireApprovals(at: now)
        return try approvals(states: [.approved])
    }

    /// Marks an approved entry as handled: `submitted` when sent, else `rejected` with the reason.
    public func settleApproval(_ id: Int64, submitted: Bool, note: String, at now: Int64) throws {
        _ = try ledger.write { db in
            try BudgetStore.decide(id, from: [.approved], to: submitted ? .submitted : .rejected, note: note, db, at: now)
        }
        noteWrite()
    }

    private func decide(_ id: Int64, from: [ApprovalState], to: ApprovalState, note: String, at now: Int64) throws {
        let changed = try ledger.write { db -> Bool in
            guard try BudgetStore.decide(id, from: from, to: to, note: note, db, at: now) else { return false }
            try statements(db).insert(BudgetEvent(atNanoseconds: now, level: .info, subject: "approvals", title: "Approval \(to.rawValue)",
                                               message: "approval \(id) \(to.rawValue) by the operator"))
            return true
        }
        noteWrite()
        guard changed else {
            let current = try approvals().first { $0.id == id }
            throw BudgetError.refused(current.map { "approval \(id) is \($0.state.rawValue), not \(from.map(\.rawValue).joined(separator: " or "))" }
                                      ?? "no approval \(id)")
        }
    }
}

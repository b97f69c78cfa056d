import Foundation

/// Operator changes that alter the declared budgets: the manifests stay the one source of
/// truth, so the change is written there first, validated as a whole plan, and then posted
/// to the ledger. Anything that fails restores the files as they were.
extension BudgetBook {
    /// Sets module budgets (`module id -> amount`); the reserve takes the difference, so the
    /// total capital is unchanged. Open positions are untouched: new trades see the new budgets.
    @discardableResult
    public func reallocate(_ changes: [String: Money], manifestsDirectory: String, holdingBots: Set<String> = [], at now: Int64) throws -> [String] {
        var edits: [String: String] = [:]
        var budgets = Dictionary(uniqueKeysWithValues: plan.modules.map { ($0.id, $0.declaration.budget) })
        for (id, amount) in changes.sorted(by: { $0.key < $1.key }) {
            guard let module = plan.module(id) else {
                throw BudgetError.refused("no enabled strategy module '\(id)'; modules: \(plan.modules.map(\.id).joined(separator: ", "))")
            }
            let text = try String(contentsOfFile: module.manifestFile, encoding: .utf8)
            guard let edited = ManifestEditor.setting("budget", in: "module", to: ManifestEditor.quoted(amount.description), text: text) else {
                throw BudgetError.refused("\(module.manifestFile): [module] has no budget line to change")
            }
            edits[module.manifestFile] = edited
            budgets[id] = amount
        }
        let allocated = budgets.values.reduce(Money.zero, +)
        let reserve = plan.account.totalCapital - allocated
        guard reserve >= .zero else {
            throw BudgetError.refused("module budgets \(allocated.exactDescription) would exceed total capital "
                + "\(plan.account.totalCapital.exactDescription): the reserve would be \(reserve.exactDescription)")
        }
        let accountText = try String(contentsOfFile: plan.account.file, encoding: .utf8)
        guard let editedAccount = ManifestEditor.setting("reserve_cash", in: "account", to: ManifestEditor.quoted(reserve.description), text: accountText) else {
            throw BudgetError.refused("\(plan.account.file): [account] has no reserve_cash line to change")
        }
        edits[plan.account.file] = editedAccount
        return try applyManifestEdits(edits, manifestsDirectory: manifestsDirectory, holdingBots: holdingBots, at: now)
    }

    /// A copy of bot `source` under `newID` in the same module, with `budget` (default: the
    /// source's initial budget) taken from the module's unassigned part.
    @discardableResult
    public func clone(bot source: String, as newID: String, budget: Money? = nil, manifestsDirectory: String, at now: Int64) throws -> [String] {
        guard let (module, bot) = plan.bot(source) else { throw BudgetError.unknownBot(source) }
        guard PluginID.isValid(newID) else { throw BudgetError.refused("'\(newID)' is not a valid bot id: use a-z, 0-9 and _") }
        if plan.bot(newID) != nil || bots[newID] != nil { throw BudgetError.refused("bot id '\(newID)' is already used") }
        let copy = BotDeclaration(id: newID, symbols: bot.symbols, initialBudget: budget ?? bot.initialBudget,
                                  maxBudgetCap: bot.maxBudgetCap.map { max($0, budget ?? bot.initialBudget) },
                                  compounded: bot.compounded, autotrade: bot.autotrade, status: .active, parameters: bot.parameters)
        let text = try String(contentsOfFile: module.manifestFile, encoding: .utf8)
        let edited = text + ManifestEditor.botEntry(copy, comment: "Cloned from \(source) at \(UTCTimestamp.iso8601(nanoseconds: now)).")
        return try applyManifestEdits([module.manifestFile: edited], manifestsDirectory: manifestsDirectory, holdingBots: [], at: now)
    }

    private func applyManifestEdits(_ edits: [String: String], manifestsDirectory: String, holdingBots: Set<String>, at now: Int64) throws -> [String] {
        var originals: [String: String] = [:]
        for file in edits.keys { originals[file] = try String(contentsOfFile: file, encoding: .utf8) }
        let previous = plan
        func restore() {
            for (file, text) in originals { try? AtomicFile.write(text, to: file) }
            replace(plan: previous)
        }
        do {
            for (file, text) in edits.sorted(by: { $0.key < $1.key }) { try AtomicFile.write(text, to: file) }
            switch BudgetPlan.load(manifestsDirectory: manifestsDirectory) {
            case .failure(let error): throw BudgetError.refused("refused, the budgets would not validate:\n\(error)")
            case .success(let next): replace(plan: next)
            }
            return try synchronize(at: now, holdingBots: holdingBots)
        } catch {
            restore()
            throw error
        }
    }
}

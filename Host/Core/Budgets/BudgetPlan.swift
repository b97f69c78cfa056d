import Foundation

/// The declared budget hierarchy: the account, one module per enabled strategy manifest,
/// and the module's strategy bots. Built only when it validates as a whole.
public struct BudgetPlan: Equatable, Sendable {
    public let account: AccountDeclaration
    public let modules: [PlannedModule]

    public struct PlannedModule: Equatable, Sendable {
        /// The module's id is its strategy plugin's id.
        public let id: String
        public let manifestFile: String
        public let declaration: ModuleDeclaration
        public let strategyParameters: [ManifestParameter]
        public let bots: [BotDeclaration]
    }

    public func module(_ id: String) -> PlannedModule? { modules.first { $0.id == id } }

    public func bot(_ id: String) -> (module: PlannedModule, bot: BotDeclaration)? {
        for module in modules {
            if let bot = module.bots.first(where: { $0.id == id }) { return (module, bot) }
        }
        return nil
    }

    /// Every bot's plugin parameters: the manifest's [params] with the bot's own on top.
    public static func parameters(strategy: [ManifestParameter], bot: BotDeclaration) -> [ManifestParameter] {
        merged(strategy, overrides: bot.parameters)
    }

    /// `base` with every key of `overrides` replaced or added, sorted by key.
    public static func merged(_ base: [ManifestParameter], overrides: [ManifestParameter]) -> [ManifestParameter] {
        var merged = base.filter { parameter in !overrides.contains { $0.key == parameter.key } }
        merged += overrides
        return merged.sorted { $0.key < $1.key }
    }
}

/// A plan that does not hold together; each line names the manifest and the entry.
public struct BudgetPlanError: Error, Equatable, CustomStringConvertible {
    public let problems: [String]

    public var description: String { problems.joined(separator: "\n") }
}

extension BudgetPlan {
    /// Reads `account.toml` and every strategy manifest in `manifestsDirectory`.
    public static func load(manifestsDirectory: String) -> Result<BudgetPlan, BudgetPlanError> {
        let accountFile = URL(fileURLWithPath: manifestsDirectory).appendingPathComponent(AccountDeclaration.fileName).path
        var problems: [String] = []
        let account: AccountDeclaration?
        switch AccountManifestParser.parse(file: accountFile) {
        case .success(let parsed): account = parsed
        case .failure(let error): account = nil; problems += error.allLines
        }
        var manifests: [Manifest] = []
        for file in PluginFolders.files(in: manifestsDirectory, extension: "toml") where file != accountFile {
            switch ManifestParser.parse(file: file) {
            case .success(let manifest): manifests.append(manifest)
            case .failure(let error):
                // Its module, if any, cannot be counted; say so rather than fail on the sum alone.
                if ManifestToggle.rootEnabledValue(in: (try? String(contentsOfFile: file, encoding: .utf8)) ?? "") != false {
                    problems.append("\(error.description) (its module budget cannot be counted)")
                }
            }
        }
        guard let account, problems.isEmpty else { return .failure(BudgetPlanError(problems: problems)) }
        return build(account: account, manifests: manifests)
    }

    /// Validates `manifests` (any kinds; enabled strategies count) against `account`.
    public static func build(account: AccountDeclaration, manifests: [Manifest]) -> Result<BudgetPlan, BudgetPlanError> {
        var problems: [String] = []
        var modules: [PlannedModule] = []
        var botOwners: [String: String] = [:]
        for manifest in manifests where manifest.kind == .strategy && manifest.enabled {
            guard let module = manifest.module else {
                problems.append("\(manifest.file): strategy '\(manifest.id)' is enabled but declares no [module] budget; "
                    + "add one with its [[bots]], or disable it")
                continue
            }
            if manifest.bots.isEmpty {
                problems.append("\(manifest.file): module '\(manifest.id)' declares no [[bots]]; add at least one strategy bot")
            }
            let botTotal = manifest.bots.reduce(Money.zero) { $0 + $1.initialBudget }
            if botTotal > module.budget {
                let parts = manifest.bots.map { "\($0.id) \($0.initialBudget)" }.joined(separator: " + ")
                problems.append("\(manifest.file): module '\(manifest.id)': bot budgets \(botTotal) (\(parts)) exceed module budget \(module.budget)")
            }
            for bot in manifest.bots {
                if let owner = botOwners[bot.id] {
                    problems.append("\(manifest.file): bot '\(bot.id)': id already used by a bot in \(owner)")
                }
                botOwners[bot.id] = botOwners[bot.id] ?? manifest.file
                if let cap = bot.maxBudgetCap, cap > module.budget {
                    problems.append("\(manifest.file): bot '\(bot.id)': max_budget_cap \(cap) is above module budget \(module.budget)")
                }
            }
            if module.maxRiskPerTrade > module.budget {
                problems.append("\(manifest.file): module '\(manifest.id)': max_risk_per_trade \(module.maxRiskPerTrade) is above its budget \(module.budget)")
            }
            modules.append(PlannedModule(id: manifest.id, manifestFile: manifest.file, declaration: module,
                                         strategyParameters: manifest.parameters, bots: manifest.bots))
        }
        let allocated = modules.reduce(Money.zero) { $0 + $1.declaration.budget }
        if allocated + account.reserveCash != account.totalCapital {
            let parts = modules.map { "\($0.id) \($0.declaration.budget)" }.joined(separator: ", ")
            problems.append("\(account.file): account.total_capital \(account.totalCapital) must equal the module budgets "
                + "\(allocated) (\(parts.isEmpty ? "no enabled strategy modules" : parts)) plus reserve_cash \(account.reserveCash) "
                + "= \(allocated + account.reserveCash)")
        }
        guard problems.isEmpty else { return .failure(BudgetPlanError(problems: problems)) }
        return .success(BudgetPlan(account: account, modules: modules))
    }
}

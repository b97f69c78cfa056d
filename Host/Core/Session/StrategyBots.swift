import Foundation

/// Creates one strategy instance per declared bot, with the manifest's [params] and the bot's
/// own on top, each through create and self_check. A bot whose instance fails is left out
/// with its reason; the others run.
public enum StrategyBots {
    public struct Built {
        public let bots: [PipelineBot]
        /// One line per bot left out, naming the bot, its manifest and why.
        public let blocked: [String]
    }

    /// `only`: run just this module's bots (nil: every module whose strategy is loaded).
    /// `session`: only modules that trade in this session (their manifest's `sessions`, absent: all).
    public static func make(plan: BudgetPlan, catalog: PluginCatalog, only module: String? = nil, session: String? = nil) -> Built {
        var bots: [PipelineBot] = [], blocked: [String] = []
        for planned in plan.modules where module == nil || planned.id == module {
            if let session, let sessions = planned.declaration.sessions, !sessions.contains(session) { continue }
            guard let entry = catalog.entry(id: planned.id), entry.state == .loaded, let library = entry.instance?.library else {
                let reason = catalog.entry(id: planned.id)?.reason ?? "not loaded"
                blocked += planned.bots.map { "bot \($0.id) (\(planned.manifestFile)): strategy \(planned.id) is not loaded: \(reason)" }
                continue
            }
            for bot in planned.bots {
                let parameters = BudgetPlan.parameters(strategy: planned.strategyParameters, bot: bot)
                switch PluginInstance.make(library: library, parameters: parameters, environment: catalog.environment) {
                case .failure(let failure):
                    blocked.append("bot \(bot.id) (\(planned.manifestFile)): \(failure.description)")
                case .success(let instance):
                    guard let strategy = StrategyPlugin(instance) else { continue }
                    bots.append(PipelineBot(id: bot.id, module: planned.id, strategy: strategy, symbols: Set(bot.symbols)))
                }
            }
        }
        return Built(bots: bots, blocked: blocked)
    }
}

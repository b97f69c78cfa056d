import Foundation
import TBotCore

/// `tbot plugins info`: the catalog entry, the descriptor and the manifest in one view.
struct PluginDetails: Encodable {
    let entry: PluginEntry
    let description: String?
    let manifestProblems: [String]
    let parameters: [String: String]
    let module: [String: String]?
    let bots: [String]

    init(entry: PluginEntry) {
        self.entry = entry
        description = entry.descriptorInfo?.description
        var problems: [String] = [], parameters: [String: String] = [:], module: [String: String]?, bots: [String] = []
        if let file = entry.manifest {
            switch ManifestParser.parse(file: file) {
            case .failure(let error): problems = error.allLines
            case .success(let manifest):
                manifest.parameters.forEach { parameters[$0.key] = $0.value }
                if let m = manifest.module {
                    module = ["budget": "\(m.budget)", "max_risk_per_trade": "\(m.maxRiskPerTrade)",
                              "daily_loss_limit": "\(m.dailyLossLimit)", "autotrade": "\(m.autotrade)", "status": m.status.rawValue]
                }
                bots = manifest.bots.map { "\($0.id) symbols=\($0.symbols.joined(separator: ",")) initial_budget=\($0.initialBudget) status=\($0.status.rawValue)" }
            }
        }
        manifestProblems = problems
        self.parameters = parameters
        self.module = module
        self.bots = bots
    }

    enum CodingKeys: String, CodingKey { case entry, description, manifestProblems = "manifest_problems", parameters, module, bots }

    var text: String {
        var lines = [
            "id:          \(entry.id)",
            "name:        \(entry.name ?? "-")",
            "kind:        \(entry.kind?.rawValue ?? "-")",
            "version:     \(entry.version ?? "-")",
            "abi:         \(entry.abi ?? "-")",
            "library:     \(entry.library.isEmpty ? "-" : entry.library)",
            "manifest:    \(entry.manifest ?? "-")",
            "enabled:     \(entry.enabled)",
            "state:       \(entry.state.rawValue)",
        ]
        if let reason = entry.reason { lines.append("reason:      \(reason)") }
        if let description, !description.isEmpty { lines.append("description: \(description)") }
        lines += manifestProblems.map { "problem:     \($0)" }
        lines += parameters.sorted { $0.key < $1.key }.map { "param:       \($0.key) = \($0.value)" }
        if let module { lines.append("module:      " + module.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) }
        lines += bots.map { "bot:         \($0)" }
        return lines.joined(separator: "\n")
    }
}

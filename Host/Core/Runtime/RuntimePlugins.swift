import Foundation

/// The plugins of a long-running `tbot run`, changed only at session boundaries. A rescan
/// happens when the plugins or manifests folder changed or an operator asked for one
/// (`tbot plugins reload`). Rules, each reported in the session log:
/// - a new or changed plugin, or a flipped toggle, takes effect after its self_check passes;
/// - a new version that fails keeps the old one running, with the reason;
/// - a strategy module whose bots hold positions keeps its running version until they are
///   closed, even when disabled; the broker is never swapped while positions are open.
public final class RuntimePlugins {
    public let setup: HostSetup
    public let environment: HostEnvironment
    public let images: PluginImages
    public let brokerID: String
    public private(set) var catalog: PluginCatalog
    public private(set) var plan: BudgetPlan
    public private(set) var broker: BrokerPlugin
    public private(set) var filters: [FilterPlugin]
    private var fingerprint: [String]

    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(setup: HostSetup, environment: HostEnvironment, images: PluginImages, brokerID: String) throws {
        self.setup = setup
        self.environment = environment
        self.images = images
        self.brokerID = brokerID
        fingerprint = PluginImages.fingerprint(pluginsDirectory: setup.pluginsDirectory, manifestsDirectory: setup.manifestsDirectory)
        catalog = PluginCatalog(manifestsDirectory: setup.manifestsDirectory, pluginsDirectory: setup.pluginsDirectory,
                                environment: environment, images: images)
        switch BudgetPlan.load(manifestsDirectory: setup.manifestsDirectory) {
        case .failure(let error): throw StartFailure(description: "the budgets do not validate:\n\(error)")
        case .success(let loaded): plan = loaded
        }
        // A broker that fails self_check (missing or refused credentials) stops the run here,
        // before any session starts.
        guard let entry = catalog.entry(id: brokerID) else {
            throw StartFailure(description: "broker \(brokerID): no manifest or library with this id in \(setup.manifestsDirectory)")
        }
        guard entry.kind == .broker else { throw StartFailure(description: "plugin \(brokerID) is not a broker plugin") }
        guard entry.state == .loaded, let instance = entry.instance, let broker = BrokerPlugin(instance) else {
            throw StartFailure(description: "broker \(brokerID) is not usable: \(entry.reason ?? entry.state.rawValue)")
        }
        self.broker = broker
        filters = catalog.loaded(.filter).compactMap(FilterPlugin.init)
    }

    /// The bots of one session (modules whose `sessions` include it), from the current catalog
    /// or from a kept older version.
    public func bots(session: String) -> StrategyBots.Built {
        StrategyBots.make(plan: plan, catalog: catalog, session: session)
    }

    public var needsRescan: Bool {
        PluginImages.fingerprint(pluginsDirectory: setup.pluginsDirectory, manifestsDirectory: setup.manifestsDirectory) != fingerprint
    }

    /// Rescans at a session boundary. `holdingModules`: modules whose bots hold positions.
    /// `brokerBusy`: positions or working orders exist at the broker. Returns the report lines.
    public func rescan(holdingModules: Set<String>, brokerBusy: Bool) -> [String] {
        fingerprint = PluginImages.fingerprint(pluginsDirectory: setup.pluginsDirectory, manifestsDirectory: setup.manifestsDirectory)
        let fresh = PluginCatalog(manifestsDirectory: setup.manifestsDirectory, pluginsDirectory: setup.pluginsDirectory,
                                  environment: environment, images: images)
        var lines: [String] = []
        let newPlan: BudgetPlan
        switch BudgetPlan.load(manifestsDirectory: setup.manifestsDirectory) {
        case .failure(let error):
            return ["plugins: rescan refused, the manifests' budgets do not validate (the running plugins stay):\n\(error)"]
        case .success(let loaded): newPlan = loaded
        }
        var merged: [PluginEntry] = []
        for entry in fresh.entries {
            let old = catalog.entry(id: entry.id)
            let changed = old?.version != entry.version || old?.state != entry.state || old?.library != entry.library
            if entry.kind == .strategy, entry.state != .loaded, let old, old.state == .loaded {
                if entry.enabled {
                    lines.append("plugins: \(entry.id) new version failed, keeping \(old.version ?? "-"): \(entry.reason ?? entry.state.rawValue)")
                    merged.append(old)
                    continue
                }
                if holdingModules.contains(entry.id) {
                    lines.append("plugins: \(entry.id) disabled, but its bots hold positions: kept until they are closed")
                    merged.append(old)
                    continue
                }
            }
            if changed {
                let detail = entry.reason.map { ": \($0)" } ?? ""
                lines.append("plugins: \(entry.id) \(old?.version ?? "new") -> \(entry.version ?? "-") \(entry.state.rawValue)\(detail)")
            }
            merged.append(entry)
        }
        catalog = PluginCatalog(merging: merged, from: fresh)
        plan = newPlan
        filters = catalog.loaded(.filter).compactMap(FilterPlugin.init)
        // Swapped only for a new library image: an unchanged broker keeps its instance and state.
        if let entry = catalog.entry(id: brokerID), entry.state == .loaded, let instance = entry.instance,
           let replacement = BrokerPlugin(instance), instance.library.path != broker.instance.library.path {
            if brokerBusy {
                lines.append("plugins: broker \(brokerID) changed, kept the running one while positions or orders are open")
            } else {
                replacement.retry = broker.retry
                broker = replacement
                lines.append("plugins: broker \(brokerID) now \(entry.version ?? "-")")
            }
        }
        return lines.isEmpty ? ["plugins: rescan found no change"] : lines
    }
}

import Foundation
import TBotPluginAPI

/// The plugins of one backtest, created fresh from their manifests: the strategy (enabled or
/// not: operators backtest before they enable), the simulated broker with the backtest's cash
/// and fill model and no state file, and every enabled filter, as a live session would run them.
/// Nothing is read from or written to the paper or live state.
struct BacktestPlugins {
    let strategyManifest: Manifest
    let strategyLibrary: PluginLibrary
    let broker: BrokerPlugin
    let filters: [FilterPlugin]

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(manifestsDirectory: String, pluginsDirectory: String, strategyID: String, brokerID: String,
         brokerOverrides: [ManifestParameter], environment: HostEnvironment) throws {
        var manifests: [Manifest] = []
        for file in PluginFolders.files(in: manifestsDirectory, extension: "toml")
        where URL(fileURLWithPath: file).lastPathComponent != AccountDeclaration.fileName {
            if case .success(let manifest) = ManifestParser.parse(file: file) { manifests.append(manifest) }
        }
        func manifest(_ id: String) throws -> Manifest {
            guard let found = manifests.first(where: { $0.id == id }) else {
                throw Failure(description: "no manifest in \(manifestsDirectory) declares plugin '\(id)'")
            }
            return found
        }
        func library(_ manifest: Manifest) throws -> PluginLibrary {
            let path = manifest.libraryPath(pluginsDirectory: pluginsDirectory)
            switch PluginLibraryLoader.open(path) {
            case .failure(let failure): throw Failure(description: failure.description)
            case .success(let library):
                guard library.info.id == manifest.id, library.info.kind == manifest.kind else {
                    throw Failure(description: "\(path): library declares \(library.info.kind.rawValue) '\(library.info.id)' but \(manifest.file) says \(manifest.kind.rawValue) '\(manifest.id)'")
                }
                return library
            }
        }
        func instance(_ manifest: Manifest, _ parameters: [ManifestParameter]) throws -> PluginInstance {
            switch PluginInstance.make(library: try library(manifest), parameters: parameters, environment: environment) {
            case .failure(let failure): throw Failure(description: failure.description)
            case .success(let instance): return instance
            }
        }
        strategyManifest = try manifest(strategyID)
        guard strategyManifest.kind == .strategy else {
            throw Failure(description: "\(strategyManifest.file): '\(strategyID)' is a \(strategyManifest.kind.rawValue) plugin, not a strategy")
        }
        strategyLibrary = try library(strategyManifest)
        let brokerManifest = try manifest(brokerID)
        let brokerParameters = BudgetPlan.merged(brokerManifest.parameters.filter { $0.key != "state_file" }, overrides: brokerOverrides)
        guard let broker = BrokerPlugin(try instance(brokerManifest, brokerParameters)), broker.isSimulated else {
            throw Failure(description: "\(brokerManifest.file): broker '\(brokerID)' does not simulate fills from bars (no \(TBOT_EXT_BROKER_SIMULATION) extension); a backtest needs a simulated broker")
        }
        self.broker = broker
        filters = try manifests.filter { $0.kind == .filter && $0.enabled }.compactMap { FilterPlugin(try instance($0, $0.parameters)) }
    }
}

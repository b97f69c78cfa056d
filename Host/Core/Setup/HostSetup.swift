import Foundation
import Logging

/// Resolves what every command needs before it touches anything: the validated runtime
/// config and the manifests and plugins folders. Order of precedence for the folders:
/// command-line flag, then the config (MANIFESTS_DIR, PLUGINS_DIR), then the defaults
/// (`manifests/` in the working directory, `plugins/` next to the manifests).
public struct HostSetup {
    public let config: RuntimeConfig
    public let manifestsDirectory: String
    public let pluginsDirectory: String

    public init(configPath: String?, pluginsDirectory: String?, manifestsDirectory: String?,
                workingDirectory: String = FileManager.default.currentDirectoryPath,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        config = try RuntimeConfig.load(path: configPath, environment: environment, workingDirectory: workingDirectory)
        func absolute(_ path: String) -> String {
            URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: workingDirectory, isDirectory: true)).standardizedFileURL.path
        }
        let manifests = absolute(manifestsDirectory ?? config.manifestsDir)
        self.manifestsDirectory = manifests
        if let flag = pluginsDirectory {
            self.pluginsDirectory = absolute(flag)
        } else if let configured = config.pluginsDir, !configured.isEmpty {
            self.pluginsDirectory = absolute(configured)
        } else {
            self.pluginsDirectory = URL(fileURLWithPath: manifests).deletingLastPathComponent().appendingPathComponent("plugins").path
        }
    }

    /// The services plugins get: the log, `clock`, and the config without secrets, plus the
    /// run mode under TBOT_RUN_MODE (a live-capable broker reaches a live endpoint only in `.live`).
    public func environment(clock: HostClock, logLevel: Logger.Level = .info, runMode: LedgerMode = .paper) -> HostEnvironment {
        let logger = Logger(label: "tbot") { label in UTCLogHandler(label: label, clock: clock, level: logLevel) }
        let config = self.config
        return HostEnvironment(clock: clock, logger: logger, configLookup: { runMode.lookup($0, config: config) })
    }

    public func catalog(environment: HostEnvironment) -> PluginCatalog {
        PluginCatalog(manifestsDirectory: manifestsDirectory, pluginsDirectory: pluginsDirectory, environment: environment)
    }
}

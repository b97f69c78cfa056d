import ArgumentParser
import Foundation
import TBotCore

struct PluginsEnable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Set enabled = true in the plugin's manifest (creating one for a discovered library).")

    @OptionGroup var options: HostOptions
    @Argument(help: "Plugin id.") var id: String

    func run() throws { try PluginToggle(options: options, id: id, enabled: true).apply() }
}

struct PluginsDisable: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: "Set enabled = false in the plugin's manifest.")

    @OptionGroup var options: HostOptions
    @Argument(help: "Plugin id.") var id: String

    func run() throws { try PluginToggle(options: options, id: id, enabled: false).apply() }
}

/// Flips one plugin's toggle, then rescans and reports the state it ends in.
struct PluginToggle {
    let options: HostOptions
    let id: String
    let enabled: Bool

    func apply() throws {
        let setup = try options.setup()
        let catalog = scanCatalog(setup)
        guard let entry = catalog.entry(id: id) else {
            Console.error("no plugin with id '\(id)' (see `tbot plugins list`)")
            throw ExitCodes.failure
        }
        let word = enabled ? "enabled" : "disabled"
        do {
            if let manifest = entry.manifest {
                guard !entry.hasInvalidManifest else {
                    Console.error("cannot edit \(manifest): \(entry.reason ?? "invalid manifest"); fix it by hand first")
                    throw ExitCodes.failure
                }
                let changed = try ManifestToggle.setEnabled(enabled, file: manifest)
                print(changed ? "\(id): \(word) in \(manifest)" : "\(id): already \(word) in \(manifest)")
            } else if enabled, let info = entry.descriptorInfo {
                let file = try ManifestTemplate.create(for: info, libraryPath: entry.library, pluginsDirectory: setup.pluginsDirectory,
                                                       manifestsDirectory: setup.manifestsDirectory, enabled: true)
                print("\(id): created \(file) with enabled = true")
            } else if enabled {
                Console.error("cannot enable '\(id)': \(entry.reason ?? "its library has no readable descriptor")")
                throw ExitCodes.failure
            } else {
                print("\(id): already disabled (no manifest)")
                return
            }
        } catch let error as ManifestToggle.Failure {
            Console.error(error.description)
            throw ExitCodes.failure
        }
        // Report what the change led to; an enabled plugin that fails self_check is an error.
        let after = scanCatalog(setup).entry(id: id)
        let state = after?.state.rawValue ?? "unknown"
        print("\(id): state \(state)\(after?.reason.map { " (\($0))" } ?? "")")
        if enabled, after?.state != .loaded { throw ExitCodes.failure }
    }
}

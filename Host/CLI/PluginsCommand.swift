import ArgumentParser
import TBotCore

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List, check, enable, disable and inspect plugins.",
        subcommands: [PluginsList.self, PluginsCheck.self, PluginsEnable.self, PluginsDisable.self, PluginsInfo.self, PluginsReload.self]
    )
}

/// Scans with the wall clock: listing and checking run outside any session.
func scanCatalog(_ setup: HostSetup) -> PluginCatalog {
    setup.catalog(environment: setup.environment(clock: SystemClock(), logLevel: .warning))
}

struct PluginsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "One line per plugin or dropped library, with its state.")

    @OptionGroup var options: HostOptions
    @Flag(help: "Print a JSON array with the keys id, kind, version, abi, library, enabled, state, reason.") var json = false

    func run() throws {
        let catalog = scanCatalog(try options.setup())
        if json {
            print(try Console.json(catalog.entries))
            return
        }
        if catalog.entries.isEmpty {
            print("no plugins in \(catalog.manifestsDirectory) or \(catalog.pluginsDirectory)")
            return
        }
        for entry in catalog.entries {
            let columns = [entry.id, entry.kind?.rawValue ?? "-", entry.version ?? "-", entry.abi.map { "abi \($0)" } ?? "-",
                           entry.state.rawValue, entry.library.isEmpty ? "-" : entry.library]
            print(columns.joined(separator: "  ") + (entry.reason.map { "\n    \($0)" } ?? ""))
        }
    }
}

struct PluginsCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load and self_check every enabled plugin; exit 0 only if all pass.")

    @OptionGroup var options: HostOptions

    func run() throws {
        let catalog = scanCatalog(try options.setup())
        let enabled = catalog.entries.filter(\.enabled)
        let failures = catalog.enabledFailures
        for entry in failures { print("FAIL \(entry.id): \(entry.reason ?? entry.state.rawValue)") }
        print("\(enabled.count - failures.count) of \(enabled.count) enabled plugins passed self_check")
        if !failures.isEmpty { throw ExitCodes.failure }
    }
}

struct PluginsInfo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Everything known about one plugin.")

    @OptionGroup var options: HostOptions
    @Argument(help: "Plugin id.") var id: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let catalog = scanCatalog(try options.setup())
        guard let entry = catalog.entry(id: id) else {
            Console.error("no plugin with id '\(id)' (see `tbot plugins list`)")
            throw ExitCodes.failure
        }
        let details = PluginDetails(entry: entry)
        print(json ? try Console.json(details) : details.text)
    }
}

import ArgumentParser
import Foundation
import TBotCore

/// Options every command takes.
struct HostOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Runtime config file (.env_bot format).",
        discussion: "Default: .env_bot in the working directory, else the built-in defaults (the seed's values).", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Folder of plugin libraries. Default: PLUGINS_DIR, else plugins/ next to the manifests.", valueName: "dir"))
    var pluginsDir: String?

    @Option(name: .long, help: ArgumentHelp("Folder of plugin manifests. Default: MANIFESTS_DIR, else manifests/.", valueName: "dir"))
    var manifestsDir: String?

    /// Loads and validates the config; an invalid one ends the command before anything is written.
    func setup() throws -> HostSetup {
        do {
            return try HostSetup(configPath: config, pluginsDirectory: pluginsDir, manifestsDirectory: manifestsDir)
        } catch let error as ConfigError {
            Console.error(error.description)
            throw ExitCodes.invalidConfiguration
        } catch {
            Console.error("\(error)")
            throw ExitCodes.invalidConfiguration
        }
    }
}

/// Output helpers: results to stdout, diagnostics to stderr.
enum Console {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

import ArgumentParser
import TBotCore

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with the runtime config (.env_bot).",
        subcommands: [ConfigValidate.self, ConfigExample.self, ConfigEncrypt.self, ConfigDecrypt.self, ConfigGenKey.self])
}

struct ConfigValidate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check every key of a config file; report each missing, malformed or out-of-range key by name.")

    @OptionGroup var options: HostOptions
    @Argument(help: ArgumentHelp("The file to validate. Default: --config, else .env_bot, else the built-in defaults.", valueName: "file"))
    var file: String?

    func run() throws {
        let config: RuntimeConfig
        do {
            config = try RuntimeConfig.load(path: file ?? options.config)
        } catch let error as ConfigError {
            Console.error(error.description)
            Console.error("\(error.issues.count) problem(s) in \(error.file)")
            throw ExitCodes.invalidConfiguration
        } catch {
            Console.error("\(error)")
            throw ExitCodes.invalidConfiguration
        }
        config.warnings.forEach { Console.error("warning: \($0)") }
        print("\(config.source): valid")
    }
}

struct ConfigExample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example",
        abstract: "Print a complete, valid config with every key, its comment and the seed's value (.env_bot.example).")

    func run() throws { print(ConfigSchema.exampleFileText(), terminator: "") }
}

import ArgumentParser
import Foundation
import TBotCore

// `tbot config encrypt | decrypt | genkey` (docs/cli.md). The key is ENV_BOT_KEY from the
// environment or .env in the working directory. No message ever holds a key or a value.

/// The key for encrypt/decrypt, or exit 2 with a message naming ENV_BOT_KEY.
private func configKey() throws -> ConfigEncryption.Key {
    do {
        return try ConfigEncryption.key(from: try Secrets.load())
    } catch {
        Console.error("\(error)")
        throw ExitCodes.invalidConfiguration
    }
}

private func absolute(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
}

struct ConfigEncrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt",
        abstract: "Encrypt .env_bot to .env_bot.enc (AES-256-GCM, key ENV_BOT_KEY) after validating it.",
        discussion: "The output is written with mode 0600 through a temporary file and a rename. The plain file is left in place: delete it yourself once the encrypted one loads (`tbot config validate .env_bot.enc`).")

    @Argument(help: ArgumentHelp("The plain config file.", valueName: "file"))
    var file = RuntimeConfig.defaultFileName
    @Option(name: .shortAndLong, help: ArgumentHelp("The encrypted file. Default: <file>.enc.", valueName: "file"))
    var output: String?
    @Flag(help: "Replace an existing output file.") var force = false

    func run() throws {
        let input = absolute(file)
        let target = absolute(output ?? file + ConfigEncryption.encryptedSuffix)
        let plaintext: Data
        do { plaintext = try ConfigEncryption.read(input) } catch {
            Console.error("\(error)")
            throw ExitCodes.invalidConfiguration
        }
        // A broken config is refused here, not discovered at the next session start.
        if case let .failure(problems) = RuntimeConfig.validate(text: String(decoding: plaintext, as: UTF8.self), file: input) {
            Console.error(problems.description)
            Console.error("\(problems.issues.count) problem(s) in \(input); nothing was encrypted")
            throw ExitCodes.invalidConfiguration
        }
        let key = try configKey()
        do {
            try ConfigEncryption.writeAtomically(try ConfigEncryption.seal(plaintext, key: key), to: target, overwrite: force)
        } catch {
            Console.error("cannot encrypt \(input): \(error)")
            throw ExitCodes.failure
        }
        print("encrypted \(input) to \(target)")
    }
}

struct ConfigDecrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt .env_bot.enc back to .env_bot (mode 0600), or to stdout.",
        discussion: "A wrong key or an altered file is an error and nothing is written. The runtime never needs this: it reads .env_bot.enc in memory.")

    @Argument(help: ArgumentHelp("The encrypted file.", valueName: "file"))
    var file = RuntimeConfig.defaultFileName + ConfigEncryption.encryptedSuffix
    @Option(name: .shortAndLong, help: ArgumentHelp("The plain file. Default: <file> without .enc.", valueName: "file"))
    var output: String?
    @Flag(help: "Print the plain text instead of writing a file.") var stdout = false
    @Flag(help: "Replace an existing output file.") var force = false

    func validate() throws {
        if stdout && output != nil { throw ValidationError("--stdout and --output exclude each other") }
        if output == nil && !stdout && !file.hasSuffix(ConfigEncryption.encryptedSuffix) {
            throw ValidationError("\(file) does not end in .enc: name the plain file with --output")
        }
    }

    func run() throws {
        let input = absolute(file)
        let key = try configKey()
        let plaintext: Data
        do {
            plaintext = try ConfigEncryption.open(try ConfigEncryption.read(input), key: key, file: input)
        } catch {
            Console.error("\(error)")
            throw ExitCodes.failure
        }
        if stdout {
            FileHandle.standardOutput.write(plaintext)
            return
        }
        let target = absolute(output ?? String(file.dropLast(ConfigEncryption.encryptedSuffix.count)))
        do {
            try ConfigEncryption.writeAtomically(plaintext, to: target, overwrite: force)
        } catch {
            Console.error("cannot decrypt \(input): \(error)")
            throw ExitCodes.failure
        }
        print("decrypted \(input) to \(target)")
    }
}

struct ConfigGenKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "genkey",
        abstract: "Print a fresh random ENV_BOT_KEY (32 bytes, base64).",
        discussion: "Store it as ENV_BOT_KEY=<key> in .env (mode 0600) or in the service's environment. Losing it loses .env_bot.enc: keep a copy offline.")

    func run() throws { print(ConfigEncryption.generateKey()) }
}

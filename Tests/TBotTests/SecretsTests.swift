import Foundation
import XCTest
@testable import TBotCore

/// `.env`, Secrets, the .env_bot.enc format, `tbot config encrypt|decrypt|genkey` and loading
/// an encrypted config.
final class SecretsTests: XCTestCase {
    private let key = "q3Ug7bBz1FvS2m0cI0B9u8Sx1mJ1kV7cQmTt6l1WJ4A="
    private let otherKey = "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM="
    private let smtpPassword = "sm7p-Pa55-for-tests-only"

    private func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tbot-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    private func listing(_ dir: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            files[name] = FileManager.default.contents(atPath: dir.appendingPathComponent(name).path)
        }
        return files
    }

    private var configText: String { RuntimeConfigFixtures.text(["MAX_TRADES": "2", "WEIGHTS": "0.5,0.5"]) }

    /// Runs the built `tbot` in `dir` with exactly these secret variables.
    private func tbot(_ arguments: [String], in dir: URL, environment extra: [String: String] = [:]) throws -> CLIRunner.Run {
        let binary = URL(fileURLWithPath: TestPaths.buildDirectory).appendingPathComponent("tbot")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestSupportError("\(binary.path) is missing: run `swift build` before `swift test`")
        }
        var environment = ProcessInfo.processInfo.environment
        for name in ["TBOT_ENV_BOT", Secrets.envBotKey, Secrets.smtpPassword] { environment.removeValue(forKey: name) }
        environment.merge(extra) { _, new in new }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = dir
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIRunner.Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                             stderr: String(decoding: stderr, as: UTF8.self))
    }

    // MARK: - .env and Secrets

    func testDotEnvReadsCommentsQuotesAndExport() throws {
        let values = try DotEnv.parse("""
            # comment
            A=plain # inline note
            export B="double # kept \\"quoted\\""
            C='single $HOME # kept'

            D=
            E=x#y
            """, file: "/x/.env")
        XCTAssertEqual(values, ["A": "plain", "B": "double # kept \"quoted\"", "C": "single $HOME # kept", "D": "", "E": "x#y"])
    }

    func testDotEnvErrorsNameFileAndLineButNoValue() {
        for (text, line, fragment) in [("A=1\nSMTP_PASS hunter2\n", 2, "no '='"), ("A=1\n\nB=\"hunter2\n", 3, "B: unterminated"),
                                       ("A=1\nA=hunter2", 2, "A: duplicate key (first set on line 1)"),
                                       ("B='x' hunter2", 1, "B: text after the closing quote"), ("b-c=hunter2", 1, "invalid key name")] {
            XCTAssertThrowsError(try DotEnv.parse(text, file: "/x/.env")) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix("/x/.env:\(line): "), message)
                XCTAssertTrue(message.contains(fragment), message)
                XCTAssertFalse(message.contains("hunter2"), message)
            }
        }
    }

    func testEnvironmentWinsOverDotEnv() throws {
        let dir = try folder()
        try "ENV_BOT_KEY=\(key)\nSMTP_PASS=from-file\n".write(to: dir.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let fileOnly = try Secrets.load(environment: [:], workingDirectory: dir.path)
        XCTAssertEqual(fileOnly.value(Secrets.envBotKey), key)
        XCTAssertEqual(fileOnly.origin(Secrets.envBotKey), dir.appendingPathComponent(".env").path)
        let both = try Secrets.load(environment: ["ENV_BOT_KEY": otherKey, "SMTP_PASS": ""], workingDirectory: dir.path)
        XCTAssertEqual(both.value(Secrets.envBotKey), otherKey)
        XCTAssertEqual(both.origin(Secrets.envBotKey), "the environment")
        XCTAssertEqual(both.value(Secrets.smtpPassword), "from-file", "an empty variable counts as unset")
        XCTAssertNil(both.value(Secrets.alpacaKeyID))
        for text in ["\(both)", String(reflecting: both), { var s = ""; dump(both, to: &s); return s }()] {
            XCTAssertFalse(text.contains(otherKey) || text.contains(key) || text.contains("from-file"), text)
        }
        XCTAssertNil(try Secrets.load(environment: [:], workingDirectory: try folder().path).value(Secrets.envBotKey))
    }

    func testKeyFormats() throws {
        let hex = String(repeating: "0f", count: 32)
        XCTAssertNoThrow(try ConfigEncryption.key(hex))
        XCTAssertNoThrow(try ConfigEncryption.key(key))
        XCTAssertEqual(Data(base64Encoded: ConfigEncryption.generateKey())?.count, 32)
        XCTAssertNotEqual(ConfigEncryption.generateKey(), ConfigEncryption.generateKey())
        for bad in ["c2hvcnQ=", String(repeating: "0g", count: 32), "not base64 at all!", String(hex.dropLast(2))] {
            XCTAssertThrowsError(try ConfigEncryption.key(bad, origin: "the environment")) { error in
                XCTAssertTrue("\(error)".hasPrefix("ENV_BOT_KEY (from the environment) is not a valid key"), "\(error)")
                XCTAssertFalse("\(error)".contains(bad))
            }
        }
        XCTAssertThrowsError(try ConfigEncryption.key(from: Secrets(environment: [:]))) { error in
            XCTAssertTrue("\(error)".hasPrefix("ENV_BOT_KEY is not set"), "\(error)")
        }
    }

    // MARK: - The encrypted format

    func testRoundTripIsByteIdentical() throws {
        let k = try ConfigEncryption.key(key)
        for plain in [Data(configText.utf8), Data(), Data("A=1\r\nB=\u{00E9}\n\u{FEFF}".utf8)] {
            let sealed = try ConfigEncryption.seal(plain, key: k)
            XCTAssertTrue(String(decoding: sealed, as: UTF8.self).hasPrefix("TBOT-ENC v1 aes-256-gcm\n"))
            XCTAssertEqual(try ConfigEncryption.open(sealed, key: k, file: "f.enc"), plain)
            XCTAssertNotEqual(sealed, try ConfigEncryption.seal(plain, key: k), "a fresh nonce each time")
        }
    }

    func testWrongKeyFlippedByteAndTruncationFail() throws {
        let k = try ConfigEncryption.key(key)
        let sealed = try ConfigEncryption.seal(Data(configText.utf8), key: k)
        let altered = "cannot decrypt f.enc: wrong ENV_BOT_KEY or the file was altered"
        XCTAssertThrowsError(try ConfigEncryption.open(sealed, key: try ConfigEncryption.key(otherKey), file: "f.enc")) {
            XCTAssertEqual("\($0)", altered)
        }
        // One changed character anywhere in the body: nonce, ciphertext or tag.
        let bytes = [UInt8](sealed)
        let bodyStart = ConfigEncryption.header.utf8.count + 1
        for position in [bodyStart, bodyStart + 20, bytes.count / 2, bytes.count - 3] where bytes[position] != 10 {
            var copy = bytes
            copy[position] = copy[position] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            XCTAssertThrowsError(try ConfigEncryption.open(Data(copy), key: k, file: "f.enc"), "byte \(position)") { error in
                XCTAssertTrue("\(error)".hasPrefix("cannot decrypt f.enc: "), "\(error)")
            }
        }
        // The header is authenticated too.
        var header = bytes
        header[bodyStart - 2] = UInt8(ascii: "X")
        XCTAssertThrowsError(try ConfigEncryption.open(Data(header), key: k, file: "f.enc"))
        let relabelled = Data(String(decoding: sealed, as: UTF8.self).replacingOccurrences(of: "TBOT-ENC v1", with: "TBOT-ENC v2").utf8)
        XCTAssertThrowsError(try ConfigEncryption.open(relabelled, key: k, file: "f.enc")) {
            XCTAssertTrue("\($0)".contains("unsupported format"), "\($0)")
        }
        for length in [0, 10, bodyStart, bodyStart + 30, bytes.count - 30] {
            XCTAssertThrowsError(try ConfigEncryption.open(sealed.prefix(length), key: k, file: "f.enc"), "length \(length)") { error in
                XCTAssertTrue("\(error)".hasPrefix("cannot decrypt f.enc: "), "\(error)")
            }
        }
    }

    // MARK: - Loading

    func testConfigLoadsFromEncryptedFile() throws {
        let dir = try folder()
        let enc = dir.appendingPathComponent(".env_bot.enc")
        try ConfigEncryption.seal(Data(configText.utf8), key: try ConfigEncryption.key(key)).write(to: enc)
        let env = ["ENV_BOT_KEY": key]
        let found = try RuntimeConfig.load(path: nil, environment: env, workingDirectory: dir.path)
        XCTAssertEqual(found.source, enc.path)
        XCTAssertEqual(found.maxTrades, 2)
        XCTAssertEqual(try RuntimeConfig.load(path: ".env_bot.enc", environment: env, workingDirectory: dir.path).maxTrades, 2)
        // The key from .env in the working directory.
        try "ENV_BOT_KEY=\(key)\n".write(to: dir.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try RuntimeConfig.load(path: nil, environment: [:], workingDirectory: dir.path).maxTrades, 2)
        // A plain .env_bot next to it wins.
        try RuntimeConfigFixtures.text([:]).write(to: dir.appendingPathComponent(".env_bot"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try RuntimeConfig.load(path: nil, environment: env, workingDirectory: dir.path).maxTrades, 4)
        XCTAssertEqual(try listing(dir).keys.sorted(), [".env", ".env_bot", ".env_bot.enc"], "no plaintext copy written")
    }

    func testEncryptedConfigErrorsNameTheFileAndLine() throws {
        let dir = try folder()
        let enc = dir.appendingPathComponent("bot.env_bot.enc")
        let text = configText.replacingOccurrences(of: "\nMAX_TRADES=2\n", with: "\nMAX_TRADES=many\n")
        let line = text.components(separatedBy: "\n").firstIndex(of: "MAX_TRADES=many")! + 1
        try ConfigEncryption.seal(Data(text.utf8), key: try ConfigEncryption.key(key)).write(to: enc)
        XCTAssertThrowsError(try RuntimeConfig.load(path: enc.path, environment: ["ENV_BOT_KEY": key], workingDirectory: "/")) { error in
            XCTAssertTrue("\(error)".contains("\(enc.path):\(line): MAX_TRADES: "), "\(error)")
        }
        XCTAssertThrowsError(try RuntimeConfig.load(path: enc.path, environment: ["ENV_BOT_KEY": otherKey], workingDirectory: "/")) { error in
            XCTAssertEqual("\(error)", "cannot decrypt \(enc.path): wrong ENV_BOT_KEY or the file was altered")
        }
        XCTAssertThrowsError(try RuntimeConfig.load(path: enc.path, environment: [:], workingDirectory: dir.path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("ENV_BOT_KEY is not set"), "\(error)")
        }
    }

    // MARK: - The CLI

    func testEncryptDecryptRoundTripThroughTheCLI() throws {
        let dir = try folder()
        let plain = dir.appendingPathComponent(".env_bot")
        try configText.write(to: plain, atomically: true, encoding: .utf8)
        let original = try Data(contentsOf: plain)
        let env = ["ENV_BOT_KEY": key]
        let encrypt = try tbot(["config", "encrypt"], in: dir, environment: env)
        XCTAssertEqual(encrypt.status, 0, encrypt.stderr)
        let enc = dir.appendingPathComponent(".env_bot.enc").path
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: enc)[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        try FileManager.default.removeItem(at: plain)
        XCTAssertEqual(try tbot(["config", "validate"], in: dir, environment: env).stdout, "\(enc): valid\n")
        let stdout = try tbot(["config", "decrypt", "--stdout"], in: dir, environment: env)
        XCTAssertEqual(Data(stdout.stdout.utf8), original)
        let decrypt = try tbot(["config", "decrypt"], in: dir, environment: env)
        XCTAssertEqual(decrypt.status, 0, decrypt.stderr)
        XCTAssertEqual(try Data(contentsOf: plain), original)
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: plain.path)[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertEqual(try listing(dir).keys.sorted(), [".env_bot", ".env_bot.enc"], "no temporary file left")
    }

    func testRefusesToOverwriteWithoutForce() throws {
        let dir = try folder()
        try configText.write(to: dir.appendingPathComponent(".env_bot"), atomically: true, encoding: .utf8)
        let env = ["ENV_BOT_KEY": key]
        XCTAssertEqual(try tbot(["config", "encrypt"], in: dir, environment: env).status, 0)
        let before = try listing(dir)
        let again = try tbot(["config", "encrypt"], in: dir, environment: env)
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("exists; use --force"), again.stderr)
        let decrypt = try tbot(["config", "decrypt"], in: dir, environment: env)
        XCTAssertEqual(decrypt.status, 1)
        XCTAssertEqual(try listing(dir), before)
        XCTAssertEqual(try tbot(["config", "encrypt", "--force"], in: dir, environment: env).status, 0)
        XCTAssertNotEqual(try listing(dir)[".env_bot.enc"], before[".env_bot.enc"])
        XCTAssertEqual(try tbot(["config", "decrypt", "--force"], in: dir, environment: env).status, 0)
        XCTAssertEqual(try listing(dir)[".env_bot"], before[".env_bot"])
    }

    func testFailuresWriteNothing() throws {
        let dir = try folder()
        try configText.write(to: dir.appendingPathComponent("good.env_bot"), atomically: true, encoding: .utf8)
        try "MAX_TRADES=lots\n".write(to: dir.appendingPathComponent(".env_bot"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try tbot(["config", "encrypt", "good.env_bot"], in: dir, environment: ["ENV_BOT_KEY": key]).status, 0)
        let sealed = try Data(contentsOf: dir.appendingPathComponent("good.env_bot.enc"))
        try sealed.prefix(sealed.count / 2).write(to: dir.appendingPathComponent("cut.env_bot.enc"))
        var flipped = [UInt8](sealed)
        flipped[60] = flipped[60] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        try Data(flipped).write(to: dir.appendingPathComponent("flip.env_bot.enc"))
        let before = try listing(dir)
        let cases: [([String], [String: String], Int32, String)] = [
            (["config", "encrypt"], ["ENV_BOT_KEY": key], 2, "problem(s) in"),
            (["config", "encrypt", "good.env_bot", "-o", "other.enc"], [:], 2, "ENV_BOT_KEY is not set"),
            (["config", "encrypt", "good.env_bot", "-o", "other.enc"], ["ENV_BOT_KEY": "c2hvcnQ="], 2, "ENV_BOT_KEY (from the environment) is not a valid key"),
            (["config", "decrypt", "good.env_bot.enc", "-o", "x"], ["ENV_BOT_KEY": otherKey], 1, "wrong ENV_BOT_KEY or the file was altered"),
            (["config", "decrypt", "flip.env_bot.enc"], ["ENV_BOT_KEY": key], 1, "wrong ENV_BOT_KEY or the file was altered"),
            (["config", "decrypt", "cut.env_bot.enc", "--stdout"], ["ENV_BOT_KEY": key], 1, "cannot decrypt"),
            (["config", "validate", "flip.env_bot.enc"], ["ENV_BOT_KEY": key], 2, "wrong ENV_BOT_KEY or the file was altered"),
        ]
        for (arguments, env, status, message) in cases {
            let run = try tbot(arguments, in: dir, environment: env)
            XCTAssertEqual(run.status, status, "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(message), "\(arguments): \(run.stderr)")
            XCTAssertEqual(run.stdout, "", "\(arguments)")
            XCTAssertEqual(try listing(dir), before, "\(arguments) wrote something")
        }
    }

    /// No command prints ENV_BOT_KEY or SMTP_PASS, whether they come from the environment or .env,
    /// on success or on failure. (`decrypt --stdout` prints the config itself and is left out.)
    func testNoSecretInCLIOutput() throws {
        let dir = try folder()
        let malformedKey = "bWFsZm9ybWVkLXNlY3JldC1rZXk="
        try (configText + "\nSMTP_PASS=\(smtpPassword)\n").write(to: dir.appendingPathComponent(".env_bot"), atomically: true, encoding: .utf8)
        try "MAX_TRADES=lots\nSMTP_PASS=\(smtpPassword)\n".write(to: dir.appendingPathComponent("bad.env_bot"), atomically: true, encoding: .utf8)
        let secrets = ["ENV_BOT_KEY": key, "SMTP_PASS": smtpPassword]
        let runs: [([String], [String: String])] = [
            (["config", "encrypt"], secrets),
            (["config", "encrypt"], secrets),
            (["config", "encrypt", "bad.env_bot"], secrets),
            (["config", "validate"], secrets),
            (["config", "validate", ".env_bot.enc"], secrets),
            (["config", "validate", "bad.env_bot"], secrets),
            (["config", "decrypt"], secrets),
            (["config", "decrypt", "-o", "copy.env_bot"], ["ENV_BOT_KEY": otherKey, "SMTP_PASS": smtpPassword]),
            (["config", "validate", ".env_bot.enc"], ["ENV_BOT_KEY": otherKey]),
            (["config", "validate", ".env_bot.enc"], ["ENV_BOT_KEY": malformedKey]),
            (["config", "encrypt", "-o", "x.enc"], ["ENV_BOT_KEY": malformedKey]),
        ]
        var outputs = 0
        for (arguments, env) in runs {
            let run = try tbot(arguments, in: dir, environment: env)
            outputs += run.stdout.count + run.stderr.count
            for secret in [key, otherKey, malformedKey, smtpPassword] {
                XCTAssertFalse(run.stdout.contains(secret) || run.stderr.contains(secret), "\(arguments) printed a secret:\n\(run.stdout)\(run.stderr)")
            }
        }
        // The same commands with the secrets in .env instead of the environment.
        try "ENV_BOT_KEY=\(key)\nSMTP_PASS='\(smtpPassword)'\n".write(to: dir.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        for arguments in [["config", "encrypt", "--force"], ["config", "validate", ".env_bot.enc"], ["config", "decrypt"],
                          ["config", "decrypt", "--force"], ["config", "encrypt", "bad.env_bot", "-o", "y.enc"]] {
            let run = try tbot(arguments, in: dir)
            outputs += run.stdout.count + run.stderr.count
            XCTAssertFalse((run.stdout + run.stderr).contains(key) || (run.stdout + run.stderr).contains(smtpPassword), "\(arguments)")
        }
        XCTAssertGreaterThan(outputs, 0)
    }
}

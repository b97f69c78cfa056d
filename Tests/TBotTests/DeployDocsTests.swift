import Foundation
import XCTest

/// docs/deploy: every systemd unit parses, runs as tbot in UTC, restarts on failure, is hardened,
/// and calls only `tbot` subcommands and options the built binary has.
final class DeployDocsTests: XCTestCase {
    /// One unit file: section -> key -> values (a key may repeat).
    struct Unit {
        let name: String
        var sections: [String: [String: [String]]] = [:]

        func values(_ section: String, _ key: String) -> [String] { sections[section]?[key] ?? [] }
        func value(_ section: String, _ key: String) -> String? { values(section, key).last }
    }

    private func deployFolder() throws -> URL {
        URL(fileURLWithPath: try TestPaths.sourceRoot).appendingPathComponent("docs/deploy")
    }

    private func units() throws -> [Unit] {
        let folder = try deployFolder()
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { [".service", ".timer", ".target"].contains(where: $0.hasSuffix) }.sorted()
        return try names.map { try parse(String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8), name: $0) }
    }

    /// systemd's INI dialect: [Section], Key=Value, # and ; comments, backslash line continuation.
    private func parse(_ text: String, name: String) throws -> Unit {
        var unit = Unit(name: name)
        var section: String?
        var pending = ""
        for (index, raw) in text.components(separatedBy: "\n").enumerated() {
            var line = pending + raw.trimmingCharacters(in: .whitespaces)
            pending = ""
            if line.hasSuffix("\\") { pending = String(line.dropLast()) + " "; continue }
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw TestSupportError("\(name):\(index + 1): unclosed section") }
                line = String(line.dropFirst().dropLast())
                section = line
                unit.sections[line, default: [:]] = unit.sections[line] ?? [:]
                continue
            }
            guard let section else { throw TestSupportError("\(name):\(index + 1): key outside a section") }
            guard let equals = line.firstIndex(of: "=") else { throw TestSupportError("\(name):\(index + 1): no '='") }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            XCTAssertTrue(key.allSatisfy { $0.isLetter || $0.isNumber }, "\(name):\(index + 1): key \(key)")
            unit.sections[section, default: [:]][key, default: []].append(value)
        }
        return unit
    }

    func testEveryUnitParsesAndTheExpectedOnesExist() throws {
        let names = Set(try units().map(\.name))
        for expected in ["tbot.target", "tbot-open.service", "tbot-mid.service", "tbot-close.service", "tbot-open.timer",
                         "tbot-mid.timer", "tbot-close.timer", "tbot-monitor.service", "tbot-backup.service", "tbot-backup.timer"] {
            XCTAssertTrue(names.contains(expected), "docs/deploy/\(expected) is missing")
        }
        for unit in try units() {
            XCTAssertNotNil(unit.value("Unit", "Description"), "\(unit.name): no Description")
        }
    }

    func testServicesRunAsTbotInUTCRestartAndAreHardened() throws {
        let services = try units().filter { $0.name.hasSuffix(".service") }
        XCTAssertFalse(services.isEmpty)
        for unit in services {
            let n = unit.name
            XCTAssertEqual(unit.value("Service", "User"), "tbot", n)
            XCTAssertEqual(unit.value("Service", "Group"), "tbot", n)
            XCTAssertEqual(unit.value("Service", "WorkingDirectory"), "/opt/tbot", n)
            XCTAssertTrue(unit.values("Service", "Environment").contains("TZ=UTC"), n)
            XCTAssertEqual(unit.value("Service", "Restart"), "on-failure", n)
            XCTAssertEqual(unit.value("Service", "EnvironmentFile"), "/opt/tbot/.env", n)
            XCTAssertEqual(unit.value("Service", "NoNewPrivileges"), "yes", n)
            XCTAssertEqual(unit.value("Service", "ProtectSystem"), "strict", n)
            XCTAssertEqual(unit.value("Service", "PrivateTmp"), "yes", n)
            let writable = Set(unit.values("Service", "ReadWritePaths").flatMap { $0.split(separator: " ").map(String.init) })
            XCTAssertEqual(writable, ["/opt/tbot/output", "/opt/tbot/backups", "/opt/tbot/control"], n)
            XCTAssertFalse(unit.values("Service", "ExecStart").isEmpty, n)
            XCTAssertEqual(unit.value("Install", "WantedBy").map { $0.contains("tbot.target") } ?? (unit.value("Unit", "PartOf") == "tbot.target"),
                           true, "\(n) belongs to tbot.target")
        }
    }

    func testTimersNameExistingServicesInUTC() throws {
        let all = try units()
        let services = Set(all.map(\.name).filter { $0.hasSuffix(".service") })
        let timers = all.filter { $0.name.hasSuffix(".timer") }
        XCTAssertEqual(timers.count, 4)
        for timer in timers {
            let target = timer.value("Timer", "Unit") ?? timer.name.replacingOccurrences(of: ".timer", with: ".service")
            XCTAssertTrue(services.contains(target), "\(timer.name) starts \(target), which is not in docs/deploy")
            let calendar = try XCTUnwrap(timer.value("Timer", "OnCalendar"), timer.name)
            XCTAssertTrue(calendar.hasSuffix(" UTC"), "\(timer.name): OnCalendar=\(calendar) is not in UTC")
        }
        // The target pulls in only units that exist.
        let target = try XCTUnwrap(all.first { $0.name == "tbot.target" })
        for wanted in target.values("Unit", "Wants").flatMap({ $0.split(separator: " ").map(String.init) }) {
            XCTAssertTrue(all.contains { $0.name == wanted }, "tbot.target wants \(wanted), which is not in docs/deploy")
        }
    }

    /// Every Exec line calling tbot uses subcommands and options that `tbot ... --help` lists;
    /// every other program is a script shipped in docs/deploy or a system tool.
    func testTbotCommandLinesUseExistingSubcommands() throws {
        var checked = 0
        for unit in try units() {
            for key in ["ExecStart", "ExecStartPre", "ExecStartPost", "ExecStop", "ExecReload"] {
                for line in unit.values("Service", key) {
                    var words = line.split(separator: " ").map(String.init)
                    // Exec prefixes: - ignore failure, @ argv0, : no substitution, + ! privileges.
                    while let first = words.first?.first, "-@:+!".contains(first) { words[0].removeFirst() }
                    let program = try XCTUnwrap(words.first, "\(unit.name): empty \(key)")
                    let base = (program as NSString).lastPathComponent
                    if base == "tbot" {
                        try checkTbot(Array(words.dropFirst()), in: "\(unit.name) \(key)")
                        checked += 1
                    } else {
                        XCTAssertTrue(FileManager.default.fileExists(atPath: try deployFolder().appendingPathComponent(base).path),
                                      "\(unit.name): \(program) is neither tbot nor a script in docs/deploy")
                    }
                }
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 5)
    }

    private func checkTbot(_ arguments: [String], in place: String) throws {
        var path: [String] = []
        for word in arguments where !word.hasPrefix("-") {
            let help = try tbotHelp(path)
            guard !help.subcommands.isEmpty else { break }  // the rest are option values or arguments
            XCTAssertTrue(help.subcommands.contains(word), "\(place): `tbot \((path + [word]).joined(separator: " "))` does not exist")
            path.append(word)
        }
        XCTAssertFalse(path.isEmpty, "\(place): no subcommand in `tbot \(arguments.joined(separator: " "))`")
        let help = try tbotHelp(path)
        for option in arguments where option.hasPrefix("--") {
            let name = String(option.split(separator: "=")[0])
            XCTAssertTrue(help.text.contains(name), "\(place): `tbot \(path.joined(separator: " "))` has no \(name)")
        }
    }

    private var helpCache: [[String]: (text: String, subcommands: Set<String>)] = [:]

    private func tbotHelp(_ path: [String]) throws -> (text: String, subcommands: Set<String>) {
        if let cached = helpCache[path] { return cached }
        let binary = URL(fileURLWithPath: TestPaths.buildDirectory).appendingPathComponent("tbot").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestSupportError("\(binary) is missing: run `swift build` before `swift test`")
        }
        let run = try ToolProcess.run(binary, path + ["--help"])
        XCTAssertEqual(run.status, 0, "tbot \(path.joined(separator: " ")) --help: \(run.stderr)")
        var subcommands = Set<String>()
        var inList = false
        for line in run.stdout.components(separatedBy: "\n") {
            if line.hasPrefix("SUBCOMMANDS:") { inList = true; continue }
            guard inList else { continue }
            if !line.isEmpty && !line.hasPrefix(" ") { inList = false; continue }
            // "  name   abstract"; wrapped abstract lines are indented further.
            let chars = Array(line)
            if chars.count > 2, chars[0] == " ", chars[1] == " ", chars[2] != " " {
                subcommands.insert(String(line.dropFirst(2).prefix { $0 != " " }))
            }
        }
        helpCache[path] = (run.stdout, subcommands)
        return (run.stdout, subcommands)
    }

    func testReadmeCoversEveryUnitAndTheOperatorTasks() throws {
        let readme = try String(contentsOf: try deployFolder().appendingPathComponent("README.md"), encoding: .utf8)
        for unit in try units() where unit.name != "tbot.target" {
            XCTAssertTrue(readme.contains(unit.name.replacingOccurrences(of: ".timer", with: "")), "README.md never names \(unit.name)")
        }
        for phrase in ["useradd", "tbot config encrypt", "tbot config genkey", "systemctl list-timers", "journalctl", "tbot stop",
                       "SIGTERM", "daily summary", "plugins", "session boundary"] {
            XCTAssertTrue(readme.contains(phrase), "README.md does not cover \(phrase)")
        }
    }
}

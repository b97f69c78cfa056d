import ArgumentParser
import Foundation
import TBotCore

/// Writes one of the operator's control files (docs/runtime.md).
private func requestControl(_ options: HostOptions, file: (ControlFiles) -> URL, note: String) throws -> URL {
    let setup = try options.setup()
    let control = ControlFiles(config: setup.config, workingDirectory: FileManager.default.currentDirectoryPath)
    let url = file(control)
    let stamp = UTCTimestamp.iso8601(nanoseconds: SystemClock().nowNanoseconds)
    do { try control.request(url, note: "\(stamp) \(note)") } catch {
        Console.error("cannot write \(url.path): \(error.localizedDescription)")
        throw ExitCodes.failure
    }
    return url
}

struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Ask a running `tbot run` to stop safely (writes control/control_stop.txt; it also keeps a new run from trading until `tbot start`).")

    @OptionGroup var options: HostOptions
    @Option(help: "Why, for the runtime log.") var reason = "tbot stop"

    func run() throws {
        print("stop requested: \(try requestControl(options, file: \.stopFile, note: reason).path)")
    }
}

struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Clear a standing stop: writes control/control_start.txt, which the next or waiting `tbot run` consumes.")

    @OptionGroup var options: HostOptions

    func run() throws {
        print("start requested: \(try requestControl(options, file: \.startFile, note: "tbot start").path)")
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print the runtime's status.json (state, active session, counts, P&L, positions, broker connectivity).")

    @OptionGroup var options: HostOptions
    @Flag(help: "Read the live books' status (default: what TEST_MODE and FORCE_PAPER_EXPORT select).") var live = false
    @Flag(help: "Read the paper books' status.") var paper = false

    func run() throws {
        let setup = try options.setup()
        let mode: LedgerMode = live ? .live : paper ? .paper : setup.config.ledgerMode
        let layout = OutputLayout(config: setup.config, workingDirectory: FileManager.default.currentDirectoryPath, mode: mode)
        let url = RuntimeStatus.file(in: layout)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            Console.error("no status at \(url.path): `tbot run` has not run here")
            throw ExitCodes.failure
        }
        print(String(decoding: data, as: UTF8.self))
    }
}

struct PluginsReload: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Ask a running `tbot run` to rescan plugins and manifests at the next session boundary (control/plugins_reload.txt).")

    @OptionGroup var options: HostOptions

    func run() throws {
        print("reload requested: \(try requestControl(options, file: \.reloadFile, note: "tbot plugins reload").path)")
    }
}

import Foundation

/// The operator's control folder (CONTROL_DIR, default control/ in the working directory):
/// control_stop.txt asks a running `tbot run` to stop safely (exit open positions where
/// feasible, write the daily summary, verify the ledger) and keeps a new one from trading
/// until control_start.txt clears it; plugins_reload.txt asks for a plugin rescan at the next
/// session boundary. `tbot stop`, `tbot start` and `tbot plugins reload` write them.
public struct ControlFiles: Sendable {
    public let directory: URL

    public var stopFile: URL { directory.appendingPathComponent("control_stop.txt") }
    public var startFile: URL { directory.appendingPathComponent("control_start.txt") }
    public var reloadFile: URL { directory.appendingPathComponent("plugins_reload.txt") }

    public init(directory: URL) { self.directory = directory }

    public init(config: RuntimeConfig, workingDirectory: String) {
        let base = URL(fileURLWithPath: workingDirectory, isDirectory: true)
        let name = config.string("CONTROL_DIR").flatMap { $0.isEmpty ? nil : $0 } ?? "control"
        directory = URL(fileURLWithPath: name, relativeTo: base).standardizedFileURL
    }

    public var stopRequested: Bool { FileManager.default.fileExists(atPath: stopFile.path) }
    public var startRequested: Bool { FileManager.default.fileExists(atPath: startFile.path) }
    public var reloadRequested: Bool { FileManager.default.fileExists(atPath: reloadFile.path) }

    /// The first line of a control file: who asked and why, for the log.
    public func note(_ url: URL) -> String {
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").first.map(String.init) ?? ""
    }

    public func request(_ url: URL, note: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data((note + "\n").utf8).write(to: url, options: .atomic)
    }

    /// A start request clears a standing stop; both files are consumed.
    public func consumeStart() {
        try? FileManager.default.removeItem(at: startFile)
        try? FileManager.default.removeItem(at: stopFile)
    }

    public func consumeReload() { try? FileManager.default.removeItem(at: reloadFile) }
}

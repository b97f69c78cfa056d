import Foundation

/// One `[params]` entry, as text exactly as the operator wrote it (strings unquoted).
public struct ManifestParameter: Equatable, Sendable {
    public let key: String
    public let value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A plugin's manifest: what the operator declared in manifests/ID.toml.
public struct Manifest: Equatable, Sendable {
    public let file: String
    public let id: String
    /// File name inside the plugins folder, or an absolute path.
    public let library: String
    public let kind: PluginKind
    public let enabled: Bool
    public let parameters: [ManifestParameter]
    /// Strategy manifests only: the module's budget and its strategy bots.
    public let module: ModuleDeclaration?
    public let bots: [BotDeclaration]

    /// Where the library is expected, resolved against the plugins folder.
    public func libraryPath(pluginsDirectory: String) -> String {
        library.hasPrefix("/") ? library : URL(fileURLWithPath: pluginsDirectory).appendingPathComponent(library).path
    }
}

public enum OperatingStatus: String, Sendable, Equatable {
    case active = "ACTIVE"
    case paused = "PAUSED"
}

/// The `[module]` table: the budget the strategy's module may spend and its limits, in USD.
public struct ModuleDeclaration: Equatable, Sendable {
    public let budget: Money
    /// Largest loss one trade may risk (quantity x |entry - stop|).
    public let maxRiskPerTrade: Money
    /// Realized loss in one UTC day that pauses the module until the next day.
    public let dailyLossLimit: Money
    public let autotrade: Bool
    public let status: OperatingStatus
    /// The strategy sessions the module trades in a live run; nil: every session.
    public var sessions: [String]? = nil
}

/// One `[[bots]]` entry: a parameterised instance of the module's strategy.
public struct BotDeclaration: Equatable, Sendable {
    public let id: String
    public let symbols: [String]
    public let initialBudget: Money
    public let maxBudgetCap: Money?
    public let compounded: Bool
    public let autotrade: Bool
    public let status: OperatingStatus
    public let parameters: [ManifestParameter]
}

/// A manifest that cannot be used, with every problem found (file, line, key).
public struct ManifestError: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let issues: [ManifestIssue]

    /// One line: the first problem, and how many more there are.
    public var description: String {
        let first = issues.first?.render(file: file) ?? "\(file): invalid manifest"
        return issues.count > 1 ? "\(first) (and \(issues.count - 1) more)" : first
    }

    public var allLines: [String] { issues.map { $0.render(file: file) } }
}

public struct ManifestIssue: Equatable, Sendable {
    public let line: Int?
    public let key: String?
    public let message: String

    func render(file: String) -> String {
        let location = line.map { "\(file):\($0)" } ?? file
        return key.map { "\(location): key '\($0)': \(message)" } ?? "\(location): \(message)"
    }
}

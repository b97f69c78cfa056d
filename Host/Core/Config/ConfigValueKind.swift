import Foundation

/// Bounds of a decimal value. Kept as Decimal so limits like 0.025 are exact.
public struct DecimalBounds: Sendable, Equatable {
    public let lower: Decimal?
    public let lowerInclusive: Bool
    public let upper: Decimal?
    public let upperInclusive: Bool

    public init(lower: Decimal?, lowerInclusive: Bool = true, upper: Decimal?, upperInclusive: Bool = true) {
        self.lower = lower
        self.lowerInclusive = lowerInclusive
        self.upper = upper
        self.upperInclusive = upperInclusive
    }

    /// [0, 1]
    public static let unitInterval = DecimalBounds(lower: 0, upper: 1)
    /// (0, 1]: a share of capital that must be positive.
    public static let positiveRatio = DecimalBounds(lower: 0, lowerInclusive: false, upper: 1)
    /// (0, no upper bound)
    public static let positive = DecimalBounds(lower: 0, lowerInclusive: false, upper: nil)

    public func contains(_ value: Decimal) -> Bool {
        if let lower, lowerInclusive ? value < lower : value <= lower { return false }
        if let upper, upperInclusive ? value > upper : value >= upper { return false }
        return true
    }

    /// Human form of the range, e.g. "between 0 and 1" or "above 0 and at most 1".
    var phrase: String {
        switch (lower, upper) {
        case let (lo?, hi?) where lowerInclusive && upperInclusive:
            return "between \(lo) and \(hi)"
        case let (lo?, hi?):
            return "\(lowerInclusive ? "at least" : "above") \(lo) and \(upperInclusive ? "at most" : "below") \(hi)"
        case let (lo?, nil):
            return "\(lowerInclusive ? "of at least" : "above") \(lo)"
        case let (nil, hi?):
            return "\(upperInclusive ? "of at most" : "below") \(hi)"
        case (nil, nil):
            return ""
        }
    }
}

/// What a key holds. The kind decides parsing, normalising and the expected form shown in errors.
public enum ConfigValueKind: Sendable, Equatable {
    /// true or false, any letter case.
    case boolean
    /// One of a fixed list, matched case-insensitively and normalised to the listed spelling.
    case choice([String], allowEmpty: Bool)
    /// A whole number in min...max (max nil: unbounded); unit is shown in the expected form.
    case integer(min: Int, max: Int?, unit: String?)
    /// A plain decimal literal (sign, digits, optional fraction) within bounds.
    case decimal(DecimalBounds, unit: String?)
    /// Comma-separated decimals, each in (0, 1], summing to exactly 1 (WEIGHTS).
    case weights
    /// HH:MM in UTC.
    case timeOfDay
    /// Comma-separated three-letter weekdays, each at most once.
    case weekdays
    /// Comma-separated strategy sessions (open, mid, close), each at most once, order kept.
    case sessions
    /// A polling interval: N followed by ms, s or m.
    case duration
    /// A release tag such as v1.0.0.
    case versionTag
    /// A folder path; `emptyMeans` says what an empty value does (nil: empty not allowed).
    case path(emptyMeans: String?)
    /// An identity code for file names: 1 to 16 of A-Z and 0-9.
    case code
    /// Comma-separated SYMBOL:SYMBOL pairs, each left symbol once (INVERSE_ETF_MAP); may be empty.
    case symbolMap
    /// Free text on one line (a host name, a login); may be empty.
    case text
    /// An http or https URL with a host; `emptyMeans` says what an empty value does.
    case url(emptyMeans: String?)
    /// Comma-separated e-mail addresses (name@domain); `emptyMeans` says what an empty value does.
    case emails(emptyMeans: String?)

    public static let weekdayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    public static let sessionNames = ["open", "mid", "close"]

    /// The accepted form in words, with the seed value as the example where one helps.
    public func expectedForm(example: String) -> String {
        let eg = example.isEmpty ? "" : ", e.g. \(example)"
        switch self {
        case .boolean:
            return "true or false"
        case let .choice(options, allowEmpty):
            let list = options.joined(separator: ", ")
            return allowEmpty ? "empty, or one of \(list)" : "one of \(list)"
        case let .integer(min, max, unit):
            let range = max.map { "from \(min) to \($0)" } ?? "of at least \(min)"
            return "a whole number \(range)\(unit.map { " (\($0))" } ?? "")\(eg)"
        case let .decimal(bounds, unit):
            return "a decimal \(bounds.phrase)\(unit.map { " (\($0))" } ?? "")\(eg)"
        case .weights:
            return "comma-separated decimals above 0 and at most 1, one per trade (MAX_TRADES), summing to exactly 1\(eg)"
        case .timeOfDay:
            return "HH:MM in UTC\(eg)"
        case .weekdays:
            return "comma-separated weekdays from \(Self.weekdayNames.joined(separator: ","))"
        case .sessions:
            return "comma-separated sessions from \(Self.sessionNames.joined(separator: ",")), each at most once\(eg)"
        case .duration:
            return "a whole number above 0 followed by ms, s or m\(eg)"
        case .versionTag:
            return "a version tag like v1.0.0"
        case let .path(emptyMeans):
            return emptyMeans.map { "a folder path, or empty for \($0)" } ?? "a folder path\(eg)"
        case .code:
            return "1 to 16 characters of A-Z and 0-9\(eg)"
        case .symbolMap:
            return "comma-separated UNDERLYING:INVERSE symbol pairs, or empty\(eg)"
        case .text:
            return "text on one line, or empty\(eg)"
        case let .url(emptyMeans):
            return "an http:// or https:// URL" + (emptyMeans.map { ", or empty for \($0)" } ?? eg)
        case let .emails(emptyMeans):
            return "comma-separated e-mail addresses" + (emptyMeans.map { ", or empty for \($0)" } ?? eg)
        }
    }
}

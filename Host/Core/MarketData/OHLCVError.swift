/// A problem with an OHLCV file, at a 1-based line (the header is line 1). Line 0 means the
/// file as a whole (it cannot be opened, or the time zone is unknown); the description then
/// leaves the line out.
public struct OHLCVError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    public let line: Int
    public let message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `FILE:LINE: message`, or `FILE: message` for line 0.
    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

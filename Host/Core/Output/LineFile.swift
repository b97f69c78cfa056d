import Foundation

/// Appends lines to a file through a 64 KiB buffer: a long backtest's transcript goes to disk
/// as it is made instead of being held in memory until the end.
final class LineFile {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private static let flushSize = 1 << 16
    /// The first write that failed; `close` throws it, so a lost line fails the run.
    private var failure: Error?

    /// Creates (or empties) the file at `url`.
    init(url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        handle = try FileHandle(forWritingTo: url)
        buffer.reserveCapacity(Self.flushSize + 4096)
    }

    func append(_ line: String) {
        // One copy of the text's bytes: appending its UTF-8 view element by element cost more
        // than making the line.
        if line.utf8.withContiguousStorageIfAvailable({ buffer.append(contentsOf: $0) }) == nil {
            buffer.append(contentsOf: line.utf8)
        }
        buffer.append(0x0A)
        if buffer.count >= Self.flushSize { flush() }
    }

    /// Writes what is buffered and closes the file; throws the first write that failed.
    func close() throws {
        flush()
        try handle.close()
        if let failure { throw failure }
    }

    private func flush() {
        guard !buffer.isEmpty, failure == nil else { return }
        do { try buffer.withUnsafeBytes { try handle.write(contentsOf: $0) } } catch { failure = error }
        buffer.removeAll(keepingCapacity: true)
    }
}

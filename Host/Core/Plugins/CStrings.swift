import Foundation
import TBotPluginAPI

/// Helpers for the C strings that cross the ABI.
enum CStrings {
    static let messageCapacity = 512

    /// Runs `body` with a zeroed message buffer, then returns its text as well.
    static func withMessageBuffer<T>(_ body: (UnsafeMutablePointer<CChar>, UInt32) -> T) -> (T, String) {
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: messageCapacity)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 0, count: messageCapacity)
        let result = body(buffer, UInt32(messageCapacity))
        buffer[messageCapacity - 1] = 0
        return (result, String(cString: buffer))
    }

    /// Reads an inline fixed-size char array (imported as a tuple), stopping at NUL.
    static func string<Tuple>(fromTuple tuple: Tuple) -> String {
        withUnsafeBytes(of: tuple) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Writes `text` into an inline fixed-size char array, NUL-terminated, truncated
    /// before the last whole character that fits (never inside a UTF-8 sequence).
    static func write<Tuple>(_ text: String, into tuple: inout Tuple) {
        withUnsafeMutableBytes(of: &tuple) { raw in
            var fitting = Substring(text)
            while fitting.utf8.count > raw.count - 1 { fitting = fitting.dropLast() }
            let bytes = Array(fitting.utf8)
            for index in 0..<raw.count { raw[index] = index < bytes.count ? bytes[index] : 0 }
        }
    }
}

/// Owns NUL-terminated copies of strings for the duration of a call into a plugin.
final class CStringArena {
    private var pointers: [UnsafeMutablePointer<CChar>] = []

    func copy(_ text: String) -> UnsafePointer<CChar> {
        let pointer = strdup(text)!
        pointers.append(pointer)
        return UnsafePointer(pointer)
    }

    deinit { pointers.forEach { free($0) } }
}

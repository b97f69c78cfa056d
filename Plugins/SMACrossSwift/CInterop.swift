// Small helpers for crossing the C ABI from Swift.
import Glibc
import TBotPluginAPI

/// A C string for a Swift string literal. Literals live in the binary's read-only
/// data, NUL-terminated, so the pointer stays valid as long as the library is loaded.
func staticCString(_ literal: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// sizeof() of a C struct as C computes it (Swift's `size` omits tail padding).
func cSize<T>(_: T.Type) -> UInt32 {
    UInt32(MemoryLayout<T>.stride)
}

/// Copies `text` into an imported fixed-size char array (a tuple of CChar),
/// truncating and always NUL-terminating, exactly as tbot_copy_string does in C.
func copyCString<Tuple>(_ text: String, into tuple: inout Tuple) {
    withUnsafeMutableBytes(of: &tuple) { bytes in
        let destination = bytes.baseAddress!.assumingMemoryBound(to: CChar.self)
        text.withCString { tbot_copy_string(destination, bytes.count, $0) }
    }
}

/// Writes a message into a caller-owned buffer. It passes through a
/// TBOT_REASON_CAP-sized step like the C plugins' snprintf buffers, so a long
/// message truncates at the same byte in both languages.
func writeMessage(_ text: String, to buffer: UnsafeMutablePointer<CChar>?, capacity: UInt32) {
    let cap = min(Int(capacity), Int(TBOT_REASON_CAP))
    text.withCString { tbot_copy_string(buffer, cap, $0) }
}

/// printf-style formatting through the C library, so numbers print exactly as the
/// C plugins print them (%g has no Swift equivalent without Foundation).
func cFormat(_ format: String, _ arguments: CVarArg...) -> String {
    withVaList(arguments) { list in
        var buffer = [CChar](repeating: 0, count: Int(TBOT_REASON_CAP))
        _ = vsnprintf(&buffer, buffer.count, format, list)
        return String(cString: buffer)
    }
}

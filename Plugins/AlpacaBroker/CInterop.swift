// Small helpers for crossing the C ABI from Swift (the same as Plugins/PaperBroker).
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
/// truncating and always NUL-terminating.
func copyCString<Tuple>(_ text: String, into tuple: inout Tuple) {
    withUnsafeMutableBytes(of: &tuple) { bytes in
        let destination = bytes.baseAddress!.assumingMemoryBound(to: CChar.self)
        text.withCString { tbot_copy_string(destination, bytes.count, $0) }
    }
}

/// Writes a message into a caller-owned buffer of `capacity` bytes.
func writeMessage(_ text: String, to buffer: UnsafeMutablePointer<CChar>?, capacity: UInt32) {
    text.withCString { tbot_copy_string(buffer, Int(capacity), $0) }
}

/// Copies `value` into a host-allocated output struct, writing only the bytes the host
/// declared in its `size` (ABI rule for output structs) and keeping that `size`.
func writeOutput<T>(_ value: T, to out: UnsafeMutablePointer<T>) {
    let raw = UnsafeMutableRawPointer(out)
    let hostSize = raw.load(as: UInt32.self)
    var copy = value
    withUnsafeBytes(of: &copy) { bytes in
        let count = min(Int(hostSize), bytes.count)
        guard count > MemoryLayout<UInt32>.size else { return }
        // Everything after the leading size field; the host's size stays as it was.
        raw.advanced(by: MemoryLayout<UInt32>.size)
            .copyMemory(from: bytes.baseAddress!.advanced(by: MemoryLayout<UInt32>.size),
                        byteCount: count - MemoryLayout<UInt32>.size)
    }
}

/// Reads the host's parameter array (valid only during create) into Swift strings.
func readParams(_ params: UnsafePointer<tbot_params_t>?) -> [(key: String, value: String)] {
    guard let params = params?.pointee, let items = params.items else { return [] }
    return (0..<Int(params.count)).map { i in
        let item = items[i]
        return (item.key.map { String(cString: $0) } ?? "", item.value.map { String(cString: $0) } ?? "")
    }
}

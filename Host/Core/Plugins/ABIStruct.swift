import TBotPluginAPI

/// Reading and writing size-prefixed ABI structs so that plugins built against another
/// minor keep working: the host never reads past the end of what a plugin wrote, and a
/// field the plugin did not have reads as zero.
enum ABIStruct {
    /// What the host writes into a struct's `size`: sizeof() as C computes it.
    static func size<T>(_ type: T.Type) -> UInt32 { UInt32(MemoryLayout<T>.stride) }

    /// Bytes up to the end of a struct's last ABI 1.0 field. Any writer, whatever minor it
    /// was built against, declares at least this; it stays fixed when fields are appended.
    static func baseline<T, Field>(through lastField: KeyPath<T, Field>) -> Int {
        MemoryLayout<T>.offset(of: lastField)! + MemoryLayout<Field>.size
    }

    /// The `size` a writer declared: the first uint32 of every size-prefixed struct.
    static func declaredSize(_ pointer: UnsafeRawPointer, offset: Int = 0) -> UInt32 {
        pointer.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
    }

    /// A copy of a plugin-written struct: min(declared, host) bytes over a zeroed value.
    static func read<T>(_ pointer: UnsafeRawPointer, declaredSize: UInt32, as type: T.Type = T.self) -> T {
        withUnsafeTemporaryAllocation(byteCount: MemoryLayout<T>.stride, alignment: MemoryLayout<T>.alignment) { buffer in
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            let count = min(Int(declaredSize), MemoryLayout<T>.stride)
            buffer.baseAddress!.copyMemory(from: pointer, byteCount: count)
            return buffer.baseAddress!.load(as: T.self)
        }
    }

    /// Reads a plugin's struct whose `size` is its first field, if it holds all of ABI 1.0.
    static func read<T>(_ pointer: UnsafeRawPointer, baseline: Int, as type: T.Type = T.self) -> T? {
        let declared = declaredSize(pointer)
        guard Int(declared) >= baseline else { return nil }
        return read(pointer, declaredSize: declared, as: type)
    }
}

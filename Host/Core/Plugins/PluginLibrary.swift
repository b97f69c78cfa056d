import Foundation
import TBotPluginAPI

/// A plugin library opened with dlopen whose descriptor passed the ABI checks.
/// The handle is never closed: Swift plugins share the host's runtime and must stay mapped.
public struct PluginLibrary: @unchecked Sendable {
    public let path: String
    /// The plugin's descriptor, copied at the host's size (fields it lacks read as zero).
    let descriptor: tbot_plugin_descriptor_t
    public let info: PluginDescriptorInfo
}

/// Why a library could not be used. `description` is the one-line reason, naming the file.
public struct PluginLoadFailure: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let problem: String
    public var description: String { "\(path): \(problem)" }
}

public enum PluginLibraryLoader {
    /// Opens `path`, resolves only the entry symbol and checks the descriptor.
    public static func open(_ path: String) -> Result<PluginLibrary, PluginLoadFailure> {
        func fail(_ problem: String) -> Result<PluginLibrary, PluginLoadFailure> {
            .failure(PluginLoadFailure(path: path, problem: problem))
        }
        if let problem = elfProblem(path) { return fail(problem) }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            return fail("cannot be opened: \(lastDynamicLinkerError())")
        }
        guard let symbol = dlsym(handle, TBOT_ENTRY_SYMBOL) else {
            return fail("entry symbol \(TBOT_ENTRY_SYMBOL) missing")
        }
        let entry = unsafeBitCast(symbol, to: tbot_plugin_entry_fn.self)
        guard let descriptor = entry() else { return fail("\(TBOT_ENTRY_SYMBOL) returned NULL") }
        switch DescriptorCheck.validate(descriptor) {
        case .success(let (copy, info)): return .success(PluginLibrary(path: path, descriptor: copy, info: info))
        case .failure(let problem): return fail(problem.text)
        }
    }

    /// dlopen's own message for a non-ELF file is cryptic; say it plainly.
    private static func elfProblem(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "cannot be opened: file is not readable" }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 4)) ?? Data()
        return magic == Data([0x7F, 0x45, 0x4C, 0x46]) ? nil : "not a shared library (no ELF header)"
    }

    private static func lastDynamicLinkerError() -> String {
        guard let message = dlerror() else { return "unknown dlopen error" }
        return String(cString: message)
    }
}

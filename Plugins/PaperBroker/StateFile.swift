// The state file on disk: reading it whole, replacing it durably, and checking that
// its directory can take a new version. Knows bytes, not their format.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

struct StateFileError: Error {
    let message: String
}

struct StateFile {
    /// Absolute, so a later change of working directory cannot move the file.
    let path: String

    var directory: String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private var temporaryPath: String { path + ".tmp" }

    /// A relative `parameter` is resolved against the working directory at create.
    init(parameter: String) throws {
        guard !parameter.hasSuffix("/") else {
            throw StateFileError(message: "invalid value '\(parameter)' for state_file: expected a file path, not a directory")
        }
        if parameter.hasPrefix("/") {
            path = parameter
        } else {
            let cwd = FileManager.default.currentDirectoryPath
            path = cwd.hasSuffix("/") ? cwd + parameter : cwd + "/" + parameter
        }
    }

    /// Why a new version could not be written into the directory, or nil.
    func directoryProblem() -> String? {
        var info = stat()
        guard stat(directory, &info) == 0 else {
            return errno == ENOENT ? "state_file directory \(directory) does not exist"
                                   : "state_file directory \(directory) cannot be inspected: \(errorText())"
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { return "state_file directory \(directory) is not a directory" }
        // Creating the temporary file and renaming it need write and search permission.
        guard access(directory, W_OK | X_OK) == 0 else { return "state_file directory \(directory) is not writable" }
        return nil
    }

    /// The file's bytes, or nil when it does not exist yet.
    func contents() throws -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw StateFileError(message: "cannot open: \(errorText())")
        }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StateFileError(message: "cannot read: \(errorText())")
            }
            if count == 0 { return data }
            data.append(contentsOf: buffer[..<count])
        }
    }

    /// Replaces the file so that a crash at any point leaves either the old or the new
    /// version, and the new one survives a power loss once this returns: write a
    /// temporary file, fsync it, rename it over the file, fsync the directory (which
    /// makes the rename itself durable). `replaced` in the error tells whether the
    /// rename happened, i.e. whether the file already shows the new version.
    func replace(with data: Data) throws {
        try writeTemporary(data)
        guard rename(temporaryPath, path) == 0 else {
            throw StateWriteError(replaced: false, message: "cannot rename \(temporaryPath) over it: \(errorText())")
        }
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw StateWriteError(replaced: true, message: "cannot open directory \(directory) to fsync it: \(errorText())")
        }
        defer { close(fd) }
        guard fsync(fd) == 0 else {
            throw StateWriteError(replaced: true, message: "fsync of directory \(directory) failed: \(errorText())")
        }
    }

    private func writeTemporary(_ data: Data) throws {
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StateWriteError(replaced: false, message: "cannot create \(temporaryPath): \(errorText())")
        }
        var closed = false
        defer { if !closed { close(fd) } }
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw StateWriteError(replaced: false, message: "cannot write \(temporaryPath): \(errorText())")
                }
                offset += written
            }
        }
        guard fsync(fd) == 0 else {
            throw StateWriteError(replaced: false, message: "fsync of \(temporaryPath) failed: \(errorText())")
        }
        closed = true
        // close can report a deferred write error (NFS); such a file must not replace the state.
        guard close(fd) == 0 else {
            throw StateWriteError(replaced: false, message: "cannot close \(temporaryPath): \(errorText())")
        }
    }
}

struct StateWriteError: Error {
    let replaced: Bool
    let message: String
}

private func errorText() -> String {
    String(cString: strerror(errno))
}

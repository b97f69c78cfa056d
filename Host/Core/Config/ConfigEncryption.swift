import Crypto
import Foundation

/// Why an encrypted config could not be read or written. Messages name files and the key's
/// name (ENV_BOT_KEY), never a key or a decrypted value.
public struct ConfigEncryptionError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case key, format, authentication, io }
    public let kind: Kind
    public let description: String
}

/// `.env_bot` <-> `.env_bot.enc` with AES-256-GCM (docs/cli.md, "config encrypt").
///
/// The file is ASCII text:
///
///     TBOT-ENC v1 aes-256-gcm
///     <base64 of nonce (12 bytes) + ciphertext + tag (16 bytes), in lines of 64 characters>
///
/// The header line (without its newline) is the authenticated data, so a changed header fails
/// authentication like a changed body.
public enum ConfigEncryption {
    public static let header = "TBOT-ENC v1 aes-256-gcm"
    static let headerPrefix = "TBOT-ENC "
    static let nonceSize = 12
    static let tagSize = 16
    public static let encryptedSuffix = ".enc"
    /// An AES-256 key; callers need not import Crypto.
    public typealias Key = SymmetricKey

    // MARK: Keys

    /// A fresh random 256-bit key as base64, the form ENV_BOT_KEY takes.
    public static func generateKey() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// ENV_BOT_KEY from `secrets`, parsed.
    public static func key(from secrets: Secrets) throws -> SymmetricKey {
        guard let text = secrets.value(Secrets.envBotKey) else {
            throw ConfigEncryptionError(kind: .key, description: "\(Secrets.envBotKey) is not set: put it in the environment or in "
                + ".env in the working directory (create one with `tbot config genkey`)")
        }
        return try key(text, origin: secrets.origin(Secrets.envBotKey))
    }

    /// 32 bytes as base64 (44 characters) or as 64 hex digits.
    public static func key(_ text: String, origin: String? = nil) throws -> SymmetricKey {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.count == 64, let bytes = hexBytes(trimmed) { return SymmetricKey(data: bytes) }
        if let bytes = Data(base64Encoded: trimmed), bytes.count == 32 { return SymmetricKey(data: bytes) }
        let from = origin.map { " (from \($0))" } ?? ""
        throw ConfigEncryptionError(kind: .key, description: "\(Secrets.envBotKey)\(from) is not a valid key: expected 32 bytes "
            + "as base64 (44 characters) or as 64 hex digits; create one with `tbot config genkey`")
    }

    private static func hexBytes(_ text: String) -> Data? {
        var bytes = Data(capacity: text.count / 2)
        var iterator = text.unicodeScalars.makeIterator()
        while let high = iterator.next() {
            guard let low = iterator.next(), let h = hexValue(high), let l = hexValue(low) else { return nil }
            bytes.append(h << 4 | l)
        }
        return bytes
    }

    private static func hexValue(_ scalar: Unicode.Scalar) -> UInt8? {
        switch scalar {
        case "0"..."9": return UInt8(scalar.value - 48)
        case "a"..."f": return UInt8(scalar.value - 87)
        case "A"..."F": return UInt8(scalar.value - 55)
        default: return nil
        }
    }

    // MARK: Sealing

    /// The encrypted file's bytes for `plaintext`.
    public static func seal(_ plaintext: Data, key: SymmetricKey) throws -> Data {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Data(header.utf8))
        let body = Data(box.nonce) + box.ciphertext + box.tag
        let encoded = body.base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return Data((header + "\n" + encoded + "\n").utf8)
    }

    /// The plaintext of an encrypted file's bytes; `file` names it in errors.
    public static func open(_ sealed: Data, key: SymmetricKey, file: String) throws -> Data {
        let text = String(decoding: sealed, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let first = lines.first ?? ""
        guard first == header else {
            if first.hasPrefix(headerPrefix) {
                throw ConfigEncryptionError(kind: .format, description: "cannot decrypt \(file): unsupported format "
                    + "\"\(first.prefix(40))\"; this tbot reads \"\(header)\"")
            }
            throw ConfigEncryptionError(kind: .format, description: "cannot decrypt \(file): not a tbot encrypted config "
                + "(the first line is not \"\(header)\")")
        }
        let altered = ConfigEncryptionError(kind: .authentication,
                                            description: "cannot decrypt \(file): wrong \(Secrets.envBotKey) or the file was altered")
        guard let body = Data(base64Encoded: lines.dropFirst().joined()), body.count >= nonceSize + tagSize else {
            throw ConfigEncryptionError(kind: .format, description: "cannot decrypt \(file): the file is truncated or was altered")
        }
        do {
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: body.prefix(nonceSize)),
                                            ciphertext: body.dropFirst(nonceSize).dropLast(tagSize),
                                            tag: body.suffix(tagSize))
            return try AES.GCM.open(box, using: key, authenticating: Data(header.utf8))
        } catch {
            throw altered
        }
    }

    // MARK: Files

    /// Reads a whole file; errors name the path.
    public static func read(_ path: String) throws -> Data {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ConfigEncryptionError(kind: .io, description: "\(path) not found")
        }
        guard !isFolder.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw ConfigEncryptionError(kind: .io, description: "\(path) cannot be read")
        }
        return data
    }

    /// Decrypts an encrypted config file in memory with ENV_BOT_KEY from `secrets`.
    public static func decryptFile(_ path: String, secrets: Secrets) throws -> Data {
        let sealed = try read(path)
        return try open(sealed, key: try key(from: secrets), file: path)
    }

    /// Writes `data` to `path` with mode 0600 through a temporary file in the same folder and a
    /// rename, so a reader sees the old file or the new one, never half of one.
    public static func writeAtomically(_ data: Data, to path: String, overwrite: Bool) throws {
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            throw ConfigEncryptionError(kind: .io, description: "\(path) exists; use --force to replace it")
        }
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (folder.isEmpty ? "" : folder + "/") + ".\(name).tmp-\(UUID().uuidString)"
        let fd = Foundation.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ioError("cannot create a temporary file next to \(path)") }
        var failed: ConfigEncryptionError?
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 { if errno == EINTR { continue }; failed = ioError("cannot write \(temporary)"); return }
                offset += written
            }
        }
        if failed == nil && fsync(fd) != 0 { failed = ioError("cannot sync \(temporary)") }
        close(fd)
        if failed == nil && rename(temporary, path) != 0 { failed = ioError("cannot rename \(temporary) to \(path)") }
        if let failed {
            unlink(temporary)
            throw failed
        }
        // The rename is durable only once the folder entry is.
        let dir = Foundation.open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 { fsync(dir); close(dir) }
    }

    private static func ioError(_ text: String) -> ConfigEncryptionError {
        ConfigEncryptionError(kind: .io, description: "\(text): \(String(cString: strerror(errno)))")
    }
}

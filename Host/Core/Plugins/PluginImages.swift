import Crypto
import Foundation

/// Content-addressed copies of plugin libraries for a host that reloads plugins while it
/// runs. dlopen hands back the image it already mapped for a path it has seen, even when
/// the file changed, and a Swift plugin must never be unloaded; so each library is copied
/// to `<folder>/<name>-<sha256 prefix>.so` and opened from there. A changed file gets a new
/// name and loads fresh; the old image stays mapped for whatever still uses it.
public struct PluginImages: Sendable {
    public let folder: URL

    public init(folder: URL) { self.folder = folder }

    func image(of path: String) -> Result<String, PluginLoadFailure> {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined().prefix(16)
            let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            let target = folder.appendingPathComponent("\(stem)-\(digest).so")
            if !FileManager.default.fileExists(atPath: target.path) {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let temporary = folder.appendingPathComponent(".\(stem)-\(digest).tmp")
                try data.write(to: temporary)
                try FileManager.default.moveItem(at: temporary, to: target)
            }
            return .success(target.path)
        } catch {
            return .failure(PluginLoadFailure(path: path, problem: "cannot be copied for loading: \(error.localizedDescription)"))
        }
    }

    /// A fingerprint of the plugins and manifests folders (names, sizes, modification
    /// times): when it changes, a rescan is due at the next session boundary.
    public static func fingerprint(pluginsDirectory: String, manifestsDirectory: String) -> [String] {
        var rows: [String] = []
        for (directory, ext) in [(pluginsDirectory, "so"), (manifestsDirectory, "toml")] {
            for file in PluginFolders.files(in: directory, extension: ext) {
                let attributes = (try? FileManager.default.attributesOfItem(atPath: file)) ?? [:]
                let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
                let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                rows.append("\(file)|\(size)|\(modified)")
            }
        }
        return rows
    }
}

import Foundation

/// Writes a manifest for a plugin that was dropped into the plugins folder without one,
/// from what its descriptor says.
public enum ManifestTemplate {
    public static func text(for info: PluginDescriptorInfo, libraryFile: String, enabled: Bool) -> String {
        var lines = [
            "# \(info.name) \(info.version) (ABI \(info.abi))",
            "# Created by `tbot plugins enable` from the plugin's descriptor.",
        ]
        if !info.description.isEmpty { lines.append("# \(info.description)") }
        lines += [
            "id = \"\(info.id)\"",
            "library = \"\(libraryFile)\"",
            "kind = \"\(info.kind.rawValue)\"",
            "enabled = \(enabled)",
            "",
            "# Parameters passed to the plugin's create; empty means the plugin's defaults.",
            "[params]",
            "",
        ]
        return lines.joined(separator: "\n")
    }

    /// Creates manifests/ID.toml; refuses to overwrite an existing file.
    public static func create(for info: PluginDescriptorInfo, libraryPath: String, pluginsDirectory: String,
                               manifestsDirectory: String, enabled: Bool) throws -> String {
        let file = URL(fileURLWithPath: manifestsDirectory).appendingPathComponent("\(info.id).toml").path
        guard !FileManager.default.fileExists(atPath: file) else {
            throw CocoaError(.fileWriteFileExists, userInfo: [NSLocalizedDescriptionKey: "\(file) already exists"])
        }
        // Inside the plugins folder the manifest names the bare file, so the folder can move.
        let folder = URL(fileURLWithPath: pluginsDirectory).standardizedFileURL.path
        let parent = URL(fileURLWithPath: libraryPath).deletingLastPathComponent().standardizedFileURL.path
        let library = parent == folder ? URL(fileURLWithPath: libraryPath).lastPathComponent : libraryPath
        try FileManager.default.createDirectory(atPath: manifestsDirectory, withIntermediateDirectories: true)
        try AtomicFile.write(text(for: info, libraryFile: library, enabled: enabled), to: file)
        return file
    }
}

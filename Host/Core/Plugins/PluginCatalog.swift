import Foundation

/// The plugins an operator has: every manifest in the manifests folder and every library in
/// the plugins folder, each loaded, blocked, disabled or discovered. A broken plugin is blocked
/// with a one-line reason; the scan always goes on with the rest.
public final class PluginCatalog {
    public let manifestsDirectory: String
    public let pluginsDirectory: String
    public private(set) var entries: [PluginEntry] = []

    let environment: HostEnvironment
    private var libraries: [String: Result<PluginLibrary, PluginLoadFailure>] = [:]
    /// Plugin id -> library path that claimed it first (for duplicate reasons).
    private var owners: [String: String] = [:]

    /// Where a long-running host loads libraries from (see PluginImages); nil opens them in place.
    let images: PluginImages?

    public init(manifestsDirectory: String, pluginsDirectory: String, environment: HostEnvironment, images: PluginImages? = nil) {
        self.manifestsDirectory = manifestsDirectory
        self.pluginsDirectory = pluginsDirectory
        self.environment = environment
        self.images = images
        scan()
    }

    /// A catalog of chosen entries (a rescan that kept some running versions).
    init(merging entries: [PluginEntry], from scanned: PluginCatalog) {
        manifestsDirectory = scanned.manifestsDirectory
        pluginsDirectory = scanned.pluginsDirectory
        environment = scanned.environment
        images = scanned.images
        self.entries = entries
    }

    public func entry(id: String) -> PluginEntry? { entries.first { $0.id == id } }

    /// Loaded instances of one kind, in id order.
    public func loaded(_ kind: PluginKind) -> [PluginInstance] {
        entries.filter { $0.state == .loaded && $0.kind == kind }.compactMap(\.instance)
    }

    /// Enabled plugins that are not loaded: what `tbot plugins check` fails on.
    public var enabledFailures: [PluginEntry] { entries.filter { $0.enabled && $0.state != .loaded } }

    private func scan() {
        var claimed = Set<String>()
        // account.toml declares the account the budgets partition, not a plugin.
        for file in PluginFolders.files(in: manifestsDirectory, extension: "toml")
        where URL(fileURLWithPath: file).lastPathComponent != AccountDeclaration.fileName {
            switch ManifestParser.parse(file: file) {
            case .failure(let error):
                entries.append(blockedManifest(file: file, error: error))
            case .success(let manifest):
                let path = manifest.libraryPath(pluginsDirectory: pluginsDirectory)
                claimed.insert(path)
                entries.append(resolve(manifest, path: path))
            }
        }
        for path in PluginFolders.files(in: pluginsDirectory, extension: "so") where !claimed.contains(path) {
            entries.append(discover(path))
        }
    }

    private func resolve(_ manifest: Manifest, path: String) -> PluginEntry {
        func entry(_ state: PluginState, _ reason: String?, _ info: PluginDescriptorInfo? = nil, _ instance: PluginInstance? = nil) -> PluginEntry {
            PluginEntry(id: manifest.id, kind: manifest.kind, descriptorInfo: info,
                        library: path, manifest: manifest.file, enabled: manifest.enabled,
                        state: state, reason: reason, instance: instance)
        }
        // A disabled plugin still shows what is wrong with it, but is not blocked.
        let failed: PluginState = manifest.enabled ? .blocked : .disabled
        if let owner = owners[manifest.id] {
            return entry(.blocked, "\(manifest.file): duplicate plugin id '\(manifest.id)' (already provided by \(owner))")
        }
        owners[manifest.id] = path
        guard FileManager.default.fileExists(atPath: path) else {
            return entry(failed, "\(manifest.file): manifest names a missing library: \(path)")
        }
        let library: PluginLibrary
        switch open(path) {
        case .failure(let failure): return entry(failed, failure.description)
        case .success(let opened): library = opened
        }
        let info = library.info
        if info.id != manifest.id {
            return entry(failed, "\(path): library declares id '\(info.id)' but \(manifest.file) says '\(manifest.id)'", info)
        }
        if info.kind != manifest.kind {
            return entry(failed, "\(path): library is a \(info.kind.rawValue) plugin but \(manifest.file) says \(manifest.kind.rawValue)", info)
        }
        guard manifest.enabled else { return entry(.disabled, nil, info) }
        switch PluginInstance.make(library: library, parameters: manifest.parameters, environment: environment) {
        case .failure(let failure): return entry(.blocked, failure.description, info)
        case .success(let instance): return entry(.loaded, nil, info, instance)
        }
    }

    private func discover(_ path: String) -> PluginEntry {
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        switch open(path) {
        case .failure(let failure):
            return PluginEntry(id: stem, kind: nil, descriptorInfo: nil, library: path, manifest: nil,
                               enabled: false, state: .blocked, reason: failure.description, instance: nil)
        case .success(let library):
            let info = library.info
            var state = PluginState.discovered
            var reason = "no manifest: disabled until `tbot plugins enable \(info.id)`"
            if let owner = owners[info.id] {
                state = .blocked
                reason = "\(path): duplicate plugin id '\(info.id)' (already provided by \(owner))"
            } else {
                owners[info.id] = path
            }
            return PluginEntry(id: info.id, kind: info.kind, descriptorInfo: info,
                               library: path, manifest: nil, enabled: false, state: state, reason: reason, instance: nil)
        }
    }

    private func blockedManifest(file: String, error: ManifestError) -> PluginEntry {
        let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        // An unreadable manifest counts as enabled unless it plainly says otherwise, so
        // `plugins check` fails on it instead of skipping it silently.
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        let enabled = ManifestToggle.rootEnabledValue(in: text) ?? true
        return PluginEntry(id: stem, kind: nil, descriptorInfo: nil, library: "", manifest: file,
                           enabled: enabled, state: .blocked, reason: "manifest invalid: \(error.description)", instance: nil)
    }

    private func open(_ path: String) -> Result<PluginLibrary, PluginLoadFailure> {
        if let cached = libraries[path] { return cached }
        var loadPath = path
        if let images {
            switch images.image(of: path) {
            case .success(let image): loadPath = image
            case .failure(let failure): return .failure(failure)
            }
        }
        let result = PluginLibraryLoader.open(loadPath)
        libraries[path] = result
        return result
    }
}

/// Listing of the manifests and plugins folders, sorted so scans are deterministic.
enum PluginFolders {
    static func files(in directory: String, extension ext: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".\(ext)") }.sorted()
            .map { URL(fileURLWithPath: directory).appendingPathComponent($0).path }
    }
}

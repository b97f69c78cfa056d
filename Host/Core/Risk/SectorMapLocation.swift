import Foundation

extension SectorMap {
    /// The sector map a configuration names: SECTOR_MAP_FILE when set (it must exist; a relative
    /// path is read from the working directory, like the other folders), else `sectors.csv` in
    /// the manifests folder when there is one, else no map (no sector limit).
    public static func configured(config: RuntimeConfig, manifestsDirectory: String) throws -> SectorMap {
        if let path = config.string("SECTOR_MAP_FILE"), !path.isEmpty { return try load(path: path) }
        let fallback = (manifestsDirectory as NSString).appendingPathComponent("sectors.csv")
        return FileManager.default.fileExists(atPath: fallback) ? try load(path: fallback) : .empty
    }
}

/// The host's release, shown by `tbot --version` with the plugin ABI it speaks.
public enum TBotVersion {
    public static let release = "0.1.0"
    public static var text: String { "tbot \(release) (plugin ABI \(HostABI.text))" }
}

import Foundation

extension RuntimeConfig {
    /// Words that mark a secret wherever they appear in a name (ALPACA_SECRET_KEY, GITHUB_TOKEN).
    private static let secretWords = ["SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "TOKEN", "CREDENTIAL", "PRIVATE"]
    /// Short words that mark a secret only as a whole `_`-separated part (SMTP_PASS, ENV_BOT_KEY),
    /// so names like BYPASS_FILTER or MONKEY_PATCH are not taken for secrets.
    private static let secretParts: Set<String> = ["KEY", "KEYS", "APIKEY", "PASS", "PWD", "AUTH"]

    /// True for names that look like credentials; the host never hands these to plugins or logs.
    public static func isSecretKey(_ key: String) -> Bool {
        let upper = key.uppercased()
        if secretWords.contains(where: { upper.contains($0) }) { return true }
        return upper.split(separator: "_").contains { secretParts.contains(String($0)) }
    }
}

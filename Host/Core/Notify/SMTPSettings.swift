import Foundation

/// Where and how alerts are mailed: SMTP_HOST, SMTP_PORT, SMTP_SECURITY, SMTP_USER, SMTP_FROM,
/// ALERT_EMAIL from the config and SMTP_PASS from Secrets. Printing it never shows the password.
public struct SMTPSettings: Sendable, CustomStringConvertible, CustomReflectable {
    public enum Security: String, Sendable {
        case starttls, tls, none
    }

    public var host: String
    public var port: Int
    public var security: Security
    /// Empty: no login.
    public var user: String
    public var password: String
    /// Envelope sender and From address.
    public var from: String
    public var recipients: [String]
    public var connectTimeoutSeconds: Int
    public var timeoutSeconds: Int

    public init(host: String, port: Int, security: Security, user: String = "", password: String = "", from: String,
                recipients: [String], connectTimeoutSeconds: Int = 10, timeoutSeconds: Int = 30) {
        self.host = host; self.port = port; self.security = security; self.user = user; self.password = password
        self.from = from; self.recipients = recipients
        self.connectTimeoutSeconds = connectTimeoutSeconds; self.timeoutSeconds = timeoutSeconds
    }

    /// nil when SMTP_HOST or ALERT_EMAIL is empty: e-mail is off. The sender is SMTP_FROM, else
    /// SMTP_USER when it is an address, else tbot@<SMTP_HOST>. API_TIMEOUT bounds each attempt.
    public static func from(config: RuntimeConfig, secrets: Secrets) -> SMTPSettings? {
        let read = { (key: String) in config.string(key) ?? "" }
        let host = read("SMTP_HOST").trimmingCharacters(in: .whitespaces)
        let recipients = ConfigValueKind.commaItems(read("ALERT_EMAIL")).filter { !$0.isEmpty }
        guard !host.isEmpty, !recipients.isEmpty else { return nil }
        let user = read("SMTP_USER")
        let configuredFrom = ConfigValueKind.commaItems(read("SMTP_FROM")).first ?? ""
        let from = !configuredFrom.isEmpty ? configuredFrom : user.contains("@") ? user : "tbot@\(host)"
        return SMTPSettings(host: host, port: Int(read("SMTP_PORT")) ?? 587, security: Security(rawValue: read("SMTP_SECURITY")) ?? .starttls,
                            user: user, password: secrets.value(Secrets.smtpPassword) ?? "", from: from, recipients: recipients,
                            connectTimeoutSeconds: min(10, config.apiTimeoutSeconds), timeoutSeconds: config.apiTimeoutSeconds)
    }

    public var description: String {
        let login = user.isEmpty ? "no login" : "login \(user)" + (password.isEmpty ? " without password" : " with password")
        return "smtp \(host):\(port) \(security.rawValue), \(login), from \(from) to \(recipients.joined(separator: ","))"
    }

    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

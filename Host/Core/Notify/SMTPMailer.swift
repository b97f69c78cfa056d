import Foundation
import TBotCurl

/// An SMTP failure: curl's code and error text. Never holds the password.
public struct SMTPFailure: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public var description: String { "curl error \(code): \(message)" }
}

/// Sends alerts through libcurl. Stateless apart from its settings; safe to use from any thread.
public protocol MailTransport: Sendable {
    func send(subject: String, body: [String], dateNanoseconds: Int64) -> Result<Void, SMTPFailure>
}

/// Builds RFC 5322 plain-text messages and sends them over SMTP (libcurl).
public struct SMTPMailer: MailTransport, CustomStringConvertible {
    public let settings: SMTPSettings

    public init(settings: SMTPSettings) { self.settings = settings }

    public var description: String { "SMTPMailer(\(settings))" }

    /// The whole message: headers, a blank line and the body, every line ending in CRLF.
    /// Lines starting with '.' are left as they are: libcurl dot-stuffs them on the wire.
    public func message(subject: String, body: [String], dateNanoseconds: Int64, messageID: String = UUID().uuidString) -> String {
        let domain = settings.from.split(separator: "@").last.map(String.init) ?? "tbot"
        let headers = [
            "Date: \(Self.rfc5322Date(nanoseconds: dateNanoseconds))",
            "From: TBot <\(settings.from)>",
            "To: \(settings.recipients.joined(separator: ", "))",
            "Subject: \(Self.encodedHeader(subject))",
            "Message-ID: <\(messageID.lowercased())@\(domain)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: 8bit",
        ]
        // A body line holding a CR or LF would split into lines (or headers); split it here instead.
        let lines = body.flatMap { $0.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init) }
        return (headers + [""] + lines).map { $0 + "\r\n" }.joined()
    }

    public func send(subject: String, body: [String], dateNanoseconds: Int64) -> Result<Void, SMTPFailure> {
        let payload = message(subject: subject, body: body, dateNanoseconds: dateNanoseconds)
        let s = settings
        let recipients = s.recipients.map { strdup($0) }
        defer { recipients.forEach { free($0) } }
        var errorText = [CChar](repeating: 0, count: 512)
        let code: Int32 = recipients.map { UnsafePointer<CChar>($0) }.withUnsafeBufferPointer { list in
            s.host.withCString { host in
                s.user.withCString { user in
                    s.password.withCString { password in
                        s.from.withCString { from in
                            payload.withCString { text in
                                var msg = tbot_smtp_message()
                                msg.host = host
                                msg.port = Int32(s.port)
                                msg.security = Int32(Self.securityCode(s.security).rawValue)
                                msg.username = user
                                msg.password = password
                                msg.mail_from = from
                                msg.recipients = list.baseAddress
                                msg.recipient_count = list.count
                                msg.payload = text
                                msg.payload_length = strlen(text)
                                msg.connect_timeout_ms = max(1, s.connectTimeoutSeconds) * 1000
                                msg.timeout_ms = max(1, s.timeoutSeconds) * 1000
                                return tbot_smtp_send(&msg, &errorText, errorText.count)
                            }
                        }
                    }
                }
            }
        }
        guard code != 0 else { return .success(()) }
        var text = String(cString: errorText)
        // curl does not echo credentials; this keeps it so if a future version does.
        if !s.password.isEmpty { text = text.replacingOccurrences(of: s.password, with: "***") }
        return .failure(SMTPFailure(code: code, message: text))
    }

    private static func securityCode(_ security: SMTPSettings.Security) -> tbot_smtp_security {
        switch security {
        case .none: return TBOT_SMTP_SECURITY_NONE
        case .starttls: return TBOT_SMTP_SECURITY_STARTTLS
        case .tls: return TBOT_SMTP_SECURITY_TLS
        }
    }

    /// `Tue, 02 Jan 2024 14:30:00 +0000`: always UTC.
    public static func rfc5322Date(nanoseconds: Int64) -> String {
        var time = time_t(nanoseconds / 1_000_000_000)
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }

    /// ASCII as is (line breaks removed so nothing can add a header); anything else as an RFC 2047 word.
    static func encodedHeader(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        if flat.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 }) { return flat }
        return "=?UTF-8?B?\(Data(flat.utf8).base64EncodedString())?="
    }
}

import Foundation
import Logging
import XCTest
@testable import TBotCore

/// A local SMTP server (Tests/Reference/smtp_sink.py) storing each message it receives.
final class SMTPSink {
    struct Message: Decodable {
        let mail_from: String
        let rcpt_to: [String]
        let auth_user: String?
        let data: String

        var headers: [String] { Array(lines.prefix { !$0.isEmpty }) }
        var body: [String] { Array(lines.drop { !$0.isEmpty }.dropFirst().dropLast()) }
        var lines: [String] { data.components(separatedBy: "\r\n") }
        func header(_ name: String) -> String? {
            headers.first { $0.hasPrefix(name + ": ") }.map { String($0.dropFirst(name.count + 2)) }
        }
    }

    let folder: URL
    let port: Int
    private let process: Process

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tbot-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: try TestPaths.sourceRoot).appendingPathComponent("Tests/Reference/smtp_sink.py")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, folder.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line is the port; read byte by byte so nothing after it is consumed.
        var line = Data()
        while true {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw TestSupportError("smtp_sink.py did not print a port (is python3 on PATH?)")
        }
        self.port = port
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Messages received so far, in arrival order.
    func messages() throws -> [Message] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        return try names.sorted { Int($0.dropFirst(8).dropLast(5))! < Int($1.dropFirst(8).dropLast(5))! }.map {
            try JSONDecoder().decode(Message.self, from: Data(contentsOf: folder.appendingPathComponent($0)))
        }
    }
}

final class NotifierTests: XCTestCase {
    private let password = "Sm7p-secret-Pa55"
    private let time: Int64 = 1_704_205_800_000_000_000  // 2024-01-02T14:30:00Z
    private var log: LogCapture!
    private var sink: SMTPSink!

    override func setUpWithError() throws {
        log = LogCapture()
        sink = try SMTPSink()
    }

    override func tearDown() {
        sink = nil
        XCTAssertFalse(log.lines.contains { $0.contains(password) }, "the SMTP password reached the log")
    }

    private var logger: Logger {
        let capture = log!
        return Logger(label: "test") { label in
            UTCLogHandler(label: label, clock: SimulatedClock(startNanoseconds: 0), level: .debug, write: { capture.append($0) })
        }
    }

    private func notifier(_ values: [String: String] = [:], port: Int? = nil) throws -> Notifier {
        let config = try RuntimeConfigFixtures.config([
            "TEST_MODE": "false", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": "\(port ?? sink.port)", "SMTP_SECURITY": "none",
            "SMTP_USER": "alerts@example.com", "ALERT_EMAIL": "ops@example.com, risk@example.com", "API_RETRY_LIMIT": "1",
            "API_TIMEOUT": "5",
        ].merging(values) { _, new in new })
        let time = self.time
        return Notifier(config: config, secrets: Secrets(environment: ["SMTP_PASS": password]), logger: logger,
                        now: { time + 5_000_000_000 }, retryDelay: 0)
    }

    private var fill: AlertEvent {
        .fill(.init(symbol: "SPY", side: "buy", quantity: 10, price: Decimal(string: "450.25")!, strategy: "open_range_breakout",
                    bot: "orb_spy", broker: "alpaca", orderID: "o-17", timeNanoseconds: time))
    }

    private var exit: AlertEvent {
        .exit(.init(symbol: "SPY", side: "sell", quantity: 10, entryPrice: Decimal(string: "450.25")!, exitPrice: Decimal(string: "455.5")!,
                    pnl: Decimal(string: "52.5")!, reason: "target", strategy: "open_range_breakout", bot: "orb_spy",
                    broker: "alpaca", timeNanoseconds: time + 60_000_000_000))
    }

    private var killSwitch: AlertEvent {
        .killSwitch(.init(reason: "daily loss limit reached: -2100.00 of -2000.00", scope: "all brokers", timeNanoseconds: time))
    }

    func testFillAlertMessage() throws {
        let notifier = try notifier()
        notifier.post(fill)
        XCTAssertTrue(notifier.flush(timeout: 20))
        XCTAssertEqual(notifier.counts.sent, 1)
        let message = try XCTUnwrap(sink.messages().first)
        XCTAssertEqual(message.mail_from, "alerts@example.com")
        XCTAssertEqual(message.rcpt_to, ["ops@example.com", "risk@example.com"])
        XCTAssertEqual(message.auth_user, "alerts@example.com")
        XCTAssertEqual(message.header("Subject"), "[tbot TBOT_US_PAPER_001_BOT live] FILL buy 10 SPY @ 450.25")
        XCTAssertEqual(message.header("From"), "TBot <alerts@example.com>")
        XCTAssertEqual(message.header("To"), "ops@example.com, risk@example.com")
        XCTAssertEqual(message.header("Date"), "Tue, 02 Jan 2024 14:30:05 +0000")
        XCTAssertTrue(message.header("Message-ID")?.hasSuffix("@example.com>") ?? false)
        XCTAssertEqual(message.body, [
            "Event: fill", "Time: 2024-01-02T14:30:00Z", "Bot: TBOT_US_PAPER_001_BOT live", "Symbol: SPY", "Side: buy",
            "Quantity: 10", "Price: 450.25", "Strategy: open_range_breakout", "Strategy bot: orb_spy", "Broker: alpaca", "Order: o-17",
        ])
    }

    func testKillSwitchAlertMessage() throws {
        let notifier = try notifier(["NOTIFY_ON_FILL": "false", "NOTIFY_ON_EXIT": "false"])
        notifier.post(killSwitch)
        XCTAssertTrue(notifier.flush(timeout: 20))
        let message = try XCTUnwrap(sink.messages().first)
        XCTAssertEqual(message.rcpt_to, ["ops@example.com", "risk@example.com"])
        XCTAssertEqual(message.header("Subject"), "[tbot TBOT_US_PAPER_001_BOT live] CRITICAL kill switch: all brokers")
        XCTAssertEqual(message.body, [
            "Event: kill_switch", "Time: 2024-01-02T14:30:00Z", "Bot: TBOT_US_PAPER_001_BOT live", "Scope: all brokers",
            "Reason: daily loss limit reached: -2100.00 of -2000.00", "No new entries are sent; exits still close positions.",
        ])
    }

    func testNotifyOnFillFalseSendsNoFillMail() throws {
        let notifier = try notifier(["NOTIFY_ON_FILL": "false"])
        notifier.post(fill)
        notifier.post(exit)
        XCTAssertTrue(notifier.flush(timeout: 20))
        let messages = try sink.messages()
        XCTAssertEqual(messages.map { $0.header("Subject") ?? "" }, ["[tbot TBOT_US_PAPER_001_BOT live] EXIT SPY target P&L 52.5"])
        XCTAssertEqual(notifier.counts.sent, 1)
        XCTAssertEqual(notifier.counts.skipped, 1)
        XCTAssertEqual(try self.notifier(["NOTIFY_ON_EXIT": "false"]).decision(for: exit), .skip(reason: "NOTIFY_ON_EXIT=false"))
    }

    func testTestModeSendsNothingUnlessAllowed() throws {
        let quiet = try notifier(["TEST_MODE": "true"])
        XCTAssertFalse(quiet.isEnabled)
        for event in [fill, exit, killSwitch] { quiet.post(event) }
        XCTAssertTrue(quiet.flush(timeout: 20))
        XCTAssertEqual(quiet.counts.skipped, 3)
        XCTAssertEqual(try sink.messages().count, 0)

        let allowed = try notifier(["TEST_MODE": "true", "NOTIFY_IN_TEST_MODE": "true"])
        allowed.post(killSwitch)
        XCTAssertTrue(allowed.flush(timeout: 20))
        let messages = try sink.messages()
        XCTAssertEqual(messages.count, 1)
        XCTAssertEqual(messages.first?.header("Subject"), "[tbot TBOT_US_PAPER_001_BOT paper] CRITICAL kill switch: all brokers")
    }

    func testNoMailWithoutHostOrRecipients() throws {
        for values in [["SMTP_HOST": ""], ["ALERT_EMAIL": ""]] {
            let notifier = try notifier(values)
            XCTAssertFalse(notifier.isEnabled)
            notifier.post(killSwitch)
            XCTAssertEqual(notifier.counts.skipped, 1)
        }
        XCTAssertEqual(try sink.messages().count, 0)
    }

    func testUnreachableServerIsLoggedAndDoesNotThrow() throws {
        let closed = try freePort()
        let notifier = try notifier(port: closed)
        notifier.post(killSwitch)  // post never throws and returns at once
        XCTAssertTrue(notifier.flush(timeout: 30))
        XCTAssertEqual(notifier.counts.failed, 1)
        XCTAssertEqual(notifier.counts.sent, 0)
        XCTAssertEqual(notifier.counts.pending, 0)
        XCTAssertTrue(notifier.counts.lastError?.contains("curl error 7") ?? false, "\(notifier.counts)")
        let failures = log.lines.filter { $0.contains("e-mail alert failed") }
        XCTAssertEqual(failures.count, 2, "one attempt plus API_RETRY_LIMIT=1 retry:\n\(log.lines.joined(separator: "\n"))")
        XCTAssertTrue(failures.allSatisfy { $0.contains("connect") }, failures.joined(separator: "\n"))
        XCTAssertTrue(log.lines.contains { $0.contains("e-mail alert given up") })
    }

    func testPasswordAppearsNowhere() throws {
        let config = try RuntimeConfigFixtures.config(["SMTP_HOST": "127.0.0.1", "ALERT_EMAIL": "ops@example.com", "SMTP_USER": "u"])
        let settings = try XCTUnwrap(SMTPSettings.from(config: config, secrets: Secrets(environment: ["SMTP_PASS": password])))
        XCTAssertEqual(settings.password, password)
        XCTAssertEqual(settings.from, "tbot@127.0.0.1")
        let mailer = SMTPMailer(settings: settings)
        var dumped = ""
        dump(settings, to: &dumped)
        for text in ["\(settings)", "\(mailer)", String(reflecting: settings), dumped,
                     mailer.message(subject: "s", body: ["b"], dateNanoseconds: time)] {
            XCTAssertFalse(text.contains(password), text)
        }
        // Success and failure paths both log; neither line may hold it.
        let sent = try notifier()
        sent.post(exit)
        XCTAssertTrue(sent.flush(timeout: 20))
        let failed = try notifier(port: try freePort())
        failed.post(exit)
        XCTAssertTrue(failed.flush(timeout: 30))
        XCTAssertEqual(sent.counts.sent + failed.counts.failed, 2)
        XCTAssertFalse(log.lines.isEmpty)
    }

    func testLeadingDotsAndNonASCIISubjectSurvive() throws {
        let settings = SMTPSettings(host: "127.0.0.1", port: sink.port, security: .none, from: "tbot@example.com",
                                    recipients: ["ops@example.com"], timeoutSeconds: 10)
        let result = SMTPMailer(settings: settings).send(subject: "Gewinn \u{20AC} 5\r\nBcc: x@evil.example", body: [".", ".hidden", "a\nb"],
                                                         dateNanoseconds: time)
        XCTAssertNoThrow(try result.get())
        let message = try XCTUnwrap(sink.messages().first)
        XCTAssertEqual(message.body, [".", ".hidden", "a", "b"])
        XCTAssertNil(message.header("Bcc"))
        XCTAssertTrue(message.header("Subject")?.hasPrefix("=?UTF-8?B?") ?? false)
        XCTAssertEqual(message.auth_user, nil, "no login without SMTP_USER")
    }

    /// A port nothing listens on: bound, read, closed.
    private func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestSupportError("cannot bind a local port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

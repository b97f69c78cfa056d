import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A running Tests/Reference/alpaca_server.py: a local Alpaca-compatible HTTP server on
/// 127.0.0.1 with a stateful account. Stopped by `stop()` or when released; it also exits
/// by itself when this process goes away (its stdin closes).
///
///     let server = try AlpacaTestServer()
///     setenv("APCA_API_KEY_ID", server.keyID, 1); setenv("APCA_API_SECRET_KEY", server.secretKey, 1)
///     let config = try RuntimeConfigFixtures.config(server.configValues())
///     try server.control(["faults": [["method": "GET", "path": "/v2/account", "status": 503]]])
///     ... drive the broker ...
///     XCTAssertEqual(try server.requests().filter { $0.path == "/v2/orders" }.count, 1)
final class AlpacaTestServer {
    /// One request the server received. Header presence only, never values.
    struct Request {
        let method: String
        let path: String
        let query: [String: String]
        let hadKeyID: Bool
        let hadSecretKey: Bool
        /// Both headers present and equal to the server's keys.
        let authorized: Bool
        /// The JSON body (a dictionary for POST /v2/orders), nil when none.
        let body: Any?
        let status: Int
        /// The fault rule applied to it, nil when none.
        let fault: [String: Any]?
    }

    let keyID: String
    let secretKey: String
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }

    private let process: Process
    private let stdin = Pipe()
    private let errorFile: URL

    /// Starts the server with the keys it accepts; `now` is its clock at start (RFC 3339).
    init(keyID: String = "TESTKEYID-7f3a9c", secretKey: String = "TESTSECRET-d41c8e2b", now: String? = nil) throws {
        self.keyID = keyID
        self.secretKey = secretKey
        let script = URL(fileURLWithPath: try TestPaths.sourceRoot).appendingPathComponent("Tests/Reference/alpaca_server.py").path
        errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("alpaca-server-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let stdout = Pipe()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--key-id", keyID, "--secret-key", secretKey, "--exit-on-stdin-eof"]
            + (now.map { ["--now", $0] } ?? [])
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        // The first stdout line is the port; EOF first means the script failed to start.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let text = String(data: line, encoding: .utf8)?.split(separator: "\n").first, let port = Int(text) else {
            process.waitUntilExit()
            let detail = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: errorFile)
            throw TestSupportError("alpaca_server.py did not start: \(detail)")
        }
        self.port = port
    }

    deinit { stop() }

    /// Ends the server (SIGTERM) and waits for it. Safe to call twice.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? stdin.fileHandleForWriting.close()
        try? FileManager.default.removeItem(at: errorFile)
    }

    /// The runtime configuration keys that point a broker at this server (trading and
    /// data); `live` sets ALPACA_LIVE_URL here too, else it points nowhere reachable.
    func configValues(live: Bool = false, timeoutSeconds: Int? = nil) -> [String: String] {
        var values = ["ALPACA_PAPER_URL": baseURL, "ALPACA_DATA_URL": baseURL, "ALPACA_DATA_FEED": "iex",
                      "ALPACA_LIVE_URL": live ? baseURL : "http://127.0.0.1:9"]
        if let timeoutSeconds { values["API_TIMEOUT"] = "\(timeoutSeconds)" }
        return values
    }

    /// POST /__control with a JSON object (see alpaca_server.py, apply_control). Returns
    /// the server's answer (for "fill": the order after the fill, under "order").
    @discardableResult
    func control(_ settings: [String: Any]) throws -> [String: Any] {
        let body = try JSONSerialization.data(withJSONObject: settings)
        let (status, data) = try send("POST", "/__control", body: body)
        let answer = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        guard status == 200 else { throw TestSupportError("control failed (HTTP \(status)): \(String(decoding: data, as: UTF8.self))") }
        return answer
    }

    /// Every /v2 request received so far, oldest first.
    func requests() throws -> [Request] {
        let (_, data) = try send("GET", "/__requests")
        let items = ((try JSONSerialization.jsonObject(with: data)) as? [String: Any])?["requests"] as? [[String: Any]] ?? []
        return items.map { item in
            let auth = item["auth"] as? [String: Any] ?? [:]
            return Request(method: item["method"] as? String ?? "", path: item["path"] as? String ?? "",
                           query: item["query"] as? [String: String] ?? [:], hadKeyID: auth["key_id"] as? Bool ?? false,
                           hadSecretKey: auth["secret_key"] as? Bool ?? false, authorized: item["authorized"] as? Bool ?? false,
                           body: item["body"].flatMap { $0 is NSNull ? nil : $0 }, status: item["status"] as? Int ?? 0,
                           fault: item["fault"] as? [String: Any])
        }
    }

    /// The requests to `path` (exact), optionally only those with `method`.
    func requests(to path: String, method: String? = nil) throws -> [Request] {
        try requests().filter { $0.path == path && (method == nil || $0.method == method) }
    }

    /// GET /__state: orders, activities, positions and cash as the server holds them.
    func state() throws -> [String: Any] {
        let (_, data) = try send("GET", "/__state")
        return (try JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    private func send(_ method: String, _ path: String, body: Data? = nil) throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 10
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        let box = ResponseBox()
        URLSession.shared.dataTask(with: request) { data, response, error in
            box.finish(status: (response as? HTTPURLResponse)?.statusCode ?? 0, data: data ?? Data(), error: error)
        }.resume()
        guard box.done.wait(timeout: .now() + 15) == .success else { throw TestSupportError("\(method) \(path): no answer") }
        if let error = box.error { throw error }
        return (box.status, box.data)
    }
}

/// One answer handed from URLSession's queue to the waiting test thread.
private final class ResponseBox: @unchecked Sendable {
    let done = DispatchSemaphore(value: 0)
    private(set) var status = 0
    private(set) var data = Data()
    private(set) var error: Error?

    func finish(status: Int, data: Data, error: Error?) {
        self.status = status
        self.data = data
        self.error = error
        done.signal()
    }
}

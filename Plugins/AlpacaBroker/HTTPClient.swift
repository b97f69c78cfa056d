// Synchronous HTTP over URLSession: the host calls a broker from one thread and waits,
// so each request blocks on a semaphore, bounded by API_TIMEOUT.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct HTTPResponse {
    let status: Int
    let body: Data
    /// Header values by lowercased name.
    let headers: [String: String]
}

/// Why no HTTP response arrived.
enum TransportFailure: Error {
    case timedOut
    case network(String)
}

final class HTTPClient {
    let timeoutSeconds: Int
    private let session: URLSession

    init(timeoutSeconds: Int) {
        self.timeoutSeconds = timeoutSeconds
        let configuration = URLSessionConfiguration.ephemeral
        // The semaphore below is the real bound; these only stop a stuck transfer later.
        configuration.timeoutIntervalForRequest = TimeInterval(timeoutSeconds + 5)
        configuration.timeoutIntervalForResource = TimeInterval(timeoutSeconds + 5)
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        session = URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
    }

    deinit { session.invalidateAndCancel() }

    func send(_ request: URLRequest) -> Result<HTTPResponse, TransportFailure> {
        let box = ResultBox()
        let task = session.dataTask(with: request) { data, response, error in
            if let error {
                let timedOut = (error as? URLError)?.code == .timedOut
                box.finish(.failure(timedOut ? .timedOut : .network(error.localizedDescription)))
            } else if let http = response as? HTTPURLResponse {
                var headers: [String: String] = [:]
                for (name, value) in http.allHeaderFields {
                    headers["\(name)".lowercased()] = "\(value)"
                }
                box.finish(.success(HTTPResponse(status: http.statusCode, body: data ?? Data(), headers: headers)))
            } else {
                box.finish(.failure(.network("no HTTP response")))
            }
        }
        task.resume()
        guard box.wait(seconds: timeoutSeconds) else {
            task.cancel()
            return .failure(.timedOut)
        }
        return box.result ?? .failure(.network("no HTTP response"))
    }
}

/// Hands one task's outcome from URLSession's queue to the waiting caller. A late
/// completion after a timeout lands here and is dropped.
private final class ResultBox: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stored: Result<HTTPResponse, TransportFailure>?

    var result: Result<HTTPResponse, TransportFailure>? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func finish(_ result: Result<HTTPResponse, TransportFailure>) {
        lock.lock()
        stored = result
        lock.unlock()
        semaphore.signal()
    }

    /// False when `seconds` passed without an outcome.
    func wait(seconds: Int) -> Bool {
        semaphore.wait(timeout: .now() + .seconds(seconds)) == .success
    }
}

/// Alpaca never redirects; following one could carry the key headers to another host.
/// A 3xx comes back as the response instead.
private final class NoRedirects: NSObject, URLSessionTaskDelegate {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}

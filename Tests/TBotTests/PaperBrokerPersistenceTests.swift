import Foundation
import XCTest
@testable import TBotCore

/// The paper broker's state_file: the simulated account continues exactly after the
/// instance (or the whole host) goes away, and a damaged file is never silently replaced.
final class PaperBrokerPersistenceTests: XCTestCase {
    private func params(_ stateFile: String, startingCash: String = "10000") -> [ManifestParameter] {
        [.init(key: "starting_cash", value: startingCash), .init(key: "commission_per_order", value: "1.25"),
         .init(key: "state_file", value: stateFile)]
    }

    private func broker(_ params: [ManifestParameter]) throws -> BrokerPlugin {
        try XCTUnwrap(BrokerPlugin(TestHost.instance("tbot_paper_broker", parameters: params)))
    }

    /// The problem text of a failed create or self_check.
    private func loadProblem(_ params: [ManifestParameter]) -> String? {
        do {
            _ = try TestHost.instance("tbot_paper_broker", parameters: params)
            return nil
        } catch {
            return (error as? PluginLoadFailure)?.problem ?? "\(error)"
        }
    }

    private func bar(_ symbol: String, close: Double, at start: Int64) -> Bar {
        Bar(symbol: symbol, startNanoseconds: start, intervalSeconds: 60, open: close, high: close, low: close, close: close, volume: 1)
    }

    private func order(_ client: String, _ symbol: String, _ side: TradeSide, _ shares: Int64) -> OrderRequest {
        OrderRequest(clientOrderID: client, symbol: symbol, side: side, type: .market, quantity: Quantity(shares: shares))
    }

    func testAccountContinuesExactlyAfterARestart() throws {
        let folder = try OperatorFolder()
        let path = folder.root.appendingPathComponent("paper-state.json").path
        var expectedFills: [BrokerFill] = []
        var expectedPositions: [BrokerPosition] = []
        var expectedAccount: BrokerAccount?
        var expectedOrder: BrokerOrder?
        var savedBytes = Data()

        do {
            let paper = try broker(params(path))
            try paper.marketBar(bar("AAPL", close: 150.25, at: 1_000))
            XCTAssertFalse(FileManager.default.fileExists(atPath: path), "a price alone is not saved")
            XCTAssertEqual(try paper.submit(order("c1", "AAPL", .buy, 10)).orderID, "paper-ord-000001")
            XCTAssertTrue(FileManager.default.fileExists(atPath: path), "saved before submit returned")
            try paper.marketBar(bar("MSFT", close: 333.33, at: 2_000))
            expectedOrder = try paper.submit(order("c2", "MSFT", .buy, 3))
            XCTAssertEqual(try paper.submit(order("c3", "XYZ", .buy, 1)).status, .rejected)
            try paper.marketBar(bar("AAPL", close: 151.1, at: 3_000))
            XCTAssertEqual(try paper.submit(order("c4", "AAPL", .buy, 5)).status, .filled)
            XCTAssertEqual(try paper.submit(order("c5", "AAPL", .sell, 4)).orderID, "paper-ord-000005")

            expectedAccount = try paper.account()
            XCTAssertEqual(expectedAccount?.cash.description, "7341.41")
            expectedPositions = try paper.positions()
            XCTAssertEqual(expectedPositions.map(\.symbol), ["AAPL", "MSFT"])
            XCTAssertEqual(expectedPositions[0].averageEntryPrice, (150.25 * 10 + 151.1 * 5) / 15)
            expectedFills = try paper.fills(since: 0)
            XCTAssertEqual(expectedFills.map(\.fillID), ["paper-fill-000001", "paper-fill-000002", "paper-fill-000003", "paper-fill-000004"])
            savedBytes = try Data(contentsOf: URL(fileURLWithPath: path))
        }
        // Released: destroy has nothing left to write, everything was saved call by call.
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), savedBytes)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".tmp"))
        let text = String(decoding: savedBytes, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("{\"cash\":73414100,"), text)
        XCTAssertTrue(text.contains("\"version\":1"))
        XCTAssertFalse(text.contains("\n"))

        // A different starting_cash does not matter: the saved account wins.
        let restarted = try broker(params(path, startingCash: "99999"))
        XCTAssertEqual(try restarted.account(), expectedAccount)
        XCTAssertEqual(try restarted.positions(), expectedPositions)
        XCTAssertEqual(try restarted.fills(since: 0), expectedFills)
        XCTAssertEqual(try restarted.fills(since: 0).map(\.fee.description), ["1.25", "1.25", "1.25", "1.25"])
        XCTAssertEqual(try restarted.fills(since: 0).map(\.price), [150.25, 333.33, 151.1, 151.1])
        XCTAssertEqual(try restarted.fills(since: 0).map(\.quantity), [10, 3, 5, 4].map { Quantity(shares: $0) })
        let expected = try XCTUnwrap(expectedOrder)
        XCTAssertEqual(try restarted.order(id: "paper-ord-000002"), expected)
        XCTAssertEqual(try restarted.submit(order("c2", "MSFT", .buy, 3)), expected, "a retry still finds its order")

        // Numbering continues, and the last price came back with the state.
        let next = try restarted.submit(order("c6", "AAPL", .sell, 1))
        XCTAssertEqual(next.orderID, "paper-ord-000006")
        XCTAssertEqual(next.averageFillPrice, 151.1)
        XCTAssertEqual(try restarted.fills(since: 0).last?.fillID, "paper-fill-000005")
        XCTAssertEqual(try restarted.account().cash.description, "7491.26")
    }

    func testUnreadableStateFileFailsCreateAndIsKept() throws {
        let folder = try OperatorFolder()
        let path = folder.root.appendingPathComponent("paper-state.json").path
        let cases = [
            ("{\"cash\":73414100,\"fills\":[", "not valid JSON (Unexpected end of file during JSON parse)"),
            ("{\"version\":3}", "unsupported version 3 (this paper broker reads versions 1 to 2)"),
            ("{\"version\":1}", "missing key cash"),
            ("{\"version\":1,\"cash\":1.5}", "a number does not fit its field"),
            ("", "the file is empty"),
        ]
        for (content, problem) in cases {
            try content.write(toFile: path, atomically: true, encoding: .utf8)
            let message = try XCTUnwrap(loadProblem(params(path)), content)
            XCTAssertTrue(message.hasPrefix("create returned NULL: cannot load state_file \(path): \(problem)"), message)
            XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), content, "never started over")
        }
    }

    func testAnOrderThatCannotBeSavedIsUndoneAndFatal() throws {
        let folder = try OperatorFolder()
        let path = folder.root.appendingPathComponent("paper-state.json").path
        let paper = try broker(params(path))
        try paper.marketBar(bar("AAPL", close: 150.25, at: 1_000))
        // A directory where the temporary file goes makes the write fail, even for root.
        try FileManager.default.createDirectory(atPath: path + ".tmp", withIntermediateDirectories: false)
        XCTAssertThrowsError(try paper.submit(order("c1", "AAPL", .buy, 10))) { error in
            let failure = error as? PluginCallError
            XCTAssertEqual(failure?.isFatal, true)
            XCTAssertEqual(failure?.message, "cannot save state_file \(path): cannot create \(path).tmp: Is a directory")
        }
        XCTAssertEqual(try paper.account().cash.description, "10000.00")
        XCTAssertEqual(try paper.fills(since: 0), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))

        try FileManager.default.removeItem(atPath: path + ".tmp")
        XCTAssertEqual(try paper.submit(order("c1", "AAPL", .buy, 10)).orderID, "paper-ord-000001")
        XCTAssertEqual(try paper.fills(since: 0).map(\.fillID), ["paper-fill-000001"])
    }

    func testMissingDirectoryFailsSelfCheck() throws {
        let folder = try OperatorFolder()
        let directory = folder.root.appendingPathComponent("no-such-folder").path
        XCTAssertEqual(loadProblem(params(directory + "/paper-state.json")),
                       "self_check failed: state_file directory \(directory) does not exist")
    }
}

import Foundation
import XCTest
@testable import TBotCore

/// The risk journal writes each decision's checks as hand-built JSON: it must decode to the
/// same checks and keep the sorted-key shape JSONEncoder gave, so older rows read the same.
final class RiskJournalJSONTests: XCTestCase {
    func testChecksJSONDecodesToTheSameChecksWithSortedKeys() throws {
        let checks = [
            RiskCheck(rule: "price_band", passed: true, detail: "entry 50.54 within 5.00..100.00"),
            RiskCheck(rule: "reward_risk", passed: false, code: .rewardRisk, detail: "target \"51/55\" pays 0.9x\nthe stop\tdistance \\ 1.5"),
        ]
        let text = RiskJournal.checksJSON(checks)
        XCTAssertEqual(try JSONDecoder().decode([RiskCheck].self, from: Data(text.utf8)), checks)
        XCTAssertTrue(text.hasPrefix("[{\"detail\":\"entry 50.54 within 5.00..100.00\",\"passed\":true,\"rule\":\"price_band\"},{\"code\":\"REWARD_RISK\""), text)
        XCTAssertEqual(RiskJournal.checksJSON([]), "[]")
    }
}

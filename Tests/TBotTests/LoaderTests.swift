import Foundation
import XCTest
@testable import TBotCore

/// The loader against real .so files built by the package: each failure mode blocks only
/// its own plugin, with the exact one-line reason, and healthy plugins load beside them.
final class LoaderTests: XCTestCase {
    var folder: OperatorFolder!

    override func setUpWithError() throws { folder = try OperatorFolder() }
    override func tearDown() { folder = nil }

    func testHealthyPluginLoadsBesideEveryBrokenOne() throws {
        try folder.install("tbot_sma_cross_c")
        try folder.writeManifest(id: "sma_cross_c", library: "libtbot_sma_cross_c.so", kind: "strategy")
        try "this is not a library".write(toFile: folder.pluginPath("libgarbage.so"), atomically: true, encoding: .utf8)
        try folder.install("tbot_fixture_no_entry")
        try folder.install("tbot_fixture_abi_major")
        try folder.writeManifest(id: "fixture_abi_major", library: "libtbot_fixture_abi_major.so", kind: "strategy")
        try folder.install("tbot_fixture_create_null")
        try folder.writeManifest(id: "fixture_create_null", library: "libtbot_fixture_create_null.so", kind: "strategy")
        try folder.install("tbot_fixture_self_check_fails")
        try folder.writeManifest(id: "fixture_self_check_fails", library: "libtbot_fixture_self_check_fails.so", kind: "filter")
        try folder.writeManifest(id: "ghost", library: "libghost.so", kind: "broker")

        let catalog = folder.catalog()
        XCTAssertEqual(catalog.entry(id: "sma_cross_c")?.state, .loaded)
        XCTAssertEqual(catalog.loaded(.strategy).map(\.info.id), ["sma_cross_c"])
        let blocked = catalog.entries.filter { $0.state == .blocked }.map(\.id).sorted()
        XCTAssertEqual(blocked, ["fixture_abi_major", "fixture_create_null", "fixture_self_check_fails", "ghost",
                                 "libgarbage", "libtbot_fixture_no_entry"])
        XCTAssertEqual(catalog.enabledFailures.map(\.id).sorted(),
                       ["fixture_abi_major", "fixture_create_null", "fixture_self_check_fails", "ghost"])
    }

    func testNotASharedLibrary() throws {
        let path = folder.pluginPath("libnotes.so")
        try "plain text".write(toFile: path, atomically: true, encoding: .utf8)
        let entry = try XCTUnwrap(folder.catalog().entry(id: "libnotes"))
        XCTAssertEqual(entry.state, .blocked)
        XCTAssertEqual(entry.reason, "\(path): not a shared library (no ELF header)")
    }

    func testTruncatedLibraryCannotBeOpened() throws {
        let path = folder.pluginPath("libtruncated.so")
        let original = try Data(contentsOf: URL(fileURLWithPath: TestPaths.library("tbot_sma_cross_c")))
        try original.prefix(64).write(to: URL(fileURLWithPath: path))
        let entry = try XCTUnwrap(folder.catalog().entry(id: "libtruncated"))
        XCTAssertEqual(entry.state, .blocked)
        let reason = try XCTUnwrap(entry.reason)
        XCTAssertTrue(reason.hasPrefix("\(path): cannot be opened: "), reason)
    }

    func testEntrySymbolMissing() throws {
        let path = try folder.install("tbot_fixture_no_entry")
        let entry = try XCTUnwrap(folder.catalog().entry(id: "libtbot_fixture_no_entry"))
        XCTAssertEqual(entry.state, .blocked)
        XCTAssertEqual(entry.reason, "\(path): entry symbol tbot_plugin_entry missing")
    }

    func testABIMajorDiffers() throws {
        let path = try folder.install("tbot_fixture_abi_major")
        try folder.writeManifest(id: "fixture_abi_major", library: "libtbot_fixture_abi_major.so", kind: "strategy")
        let entry = try XCTUnwrap(folder.catalog().entry(id: "fixture_abi_major"))
        XCTAssertEqual(entry.state, .blocked)
        XCTAssertEqual(entry.reason, "\(path): ABI 2.3 is not supported by this host (ABI 1.3): major version differs")
    }

    func testABIMinorNewerThanHost() throws {
        let path = try folder.install("tbot_fixture_abi_minor_newer")
        try folder.writeManifest(id: "fixture_abi_minor_newer", library: "libtbot_fixture_abi_minor_newer.so", kind: "strategy")
        let entry = try XCTUnwrap(folder.catalog().entry(id: "fixture_abi_minor_newer"))
        XCTAssertEqual(entry.state, .blocked)
        XCTAssertEqual(entry.reason, "\(path): ABI 1.4 is newer than this host's ABI 1.3")
    }

    func testDuplicatePluginID() throws {
        let original = try folder.install("tbot_sma_cross_c")
        let copy = try folder.install("tbot_sma_cross_c", as: "libsma_copy.so")
        try folder.writeManifest(id: "sma_cross_c", library: "libtbot_sma_cross_c.so", kind: "strategy")
        let catalog = folder.catalog()
        XCTAssertEqual(catalog.entries.first { $0.library == original }?.state, .loaded)
        let duplicate = try XCTUnwrap(catalog.entries.first { $0.library == copy })
        XCTAssertEqual(duplicate.state, .blocked)
        XCTAssertEqual(duplicate.reason, "\(copy): duplicate plugin id 'sma_cross_c' (already provided by \(original))")
    }

    func testDuplicateManifestID() throws {
        let original = try folder.install("tbot_sma_cross_c")
        try folder.writeManifest(id: "sma_cross_c", library: "libtbot_sma_cross_c.so", kind: "strategy")
        let second = try folder.writeManifest("zz_second.toml", """
            id = "sma_cross_c"
            library = "libtbot_sma_cross_c.so"
            kind = "strategy"
            enabled = true
            """)
        let catalog = folder.catalog()
        let blocked = try XCTUnwrap(catalog.entries.first { $0.manifest == second })
        XCTAssertEqual(blocked.reason, "\(second): duplicate plugin id 'sma_cross_c' (already provided by \(original))")
        XCTAssertEqual(catalog.loaded(.strategy).count, 1)
    }

    func testManifestNamesMissingLibrary() throws {
        let manifest = try folder.writeManifest(id: "ghost", library: "libghost.so", kind: "broker")
        let entry = try XCTUnwrap(folder.catalog().entry(id: "ghost"))
        XCTAssertEqual(entry.state, .blocked)
        XCTAssertEqual(entry.reason, "\(manifest): manifest names a missing library: \(folder.pluginPath("libghost.so"))")
    }

    func testInvalidManifestNamesFileLineAndKey() throws {
        let manifest = try folder.writeManifest("broken.toml", """
            id = "broken"
            library = "libbroken.so"
            kind = "filter"
            enabled = "yes"
            """)
        let entry = try XCTUnwrap(folder.catalog().entry(id: "broken"))
        XCTAssertEqual(entry.state, .blocked)
        XCTAssertTrue(entry.enabled, "an unreadable toggle counts as enabled so `check` fails on it")
        XCTAssertEqual(entry.reason, "manifest invalid: \(manifest):4: key 'enabled': expected true or false, got string \"yes\"")
    }

    func testCreateReturnsNull() throws {
        let path = try folder.install("tbot_fixture_create_null")
        try folder.writeManifest(id: "fixture_create_null", library: "libtbot_fixture_create_null.so", kind: "strategy")
        let entry = try XCTUnwrap(folder.catalog().entry(id: "fixture_create_null"))
        XCTAssertEqual(entry.state, .blocked)
        XCTAssertEqual(entry.reason, "\(path): create returned NULL: no data source configured")
    }

    func testSelfCheckFailureCarriesThePluginsReason() throws {
        let path = try folder.install("tbot_fixture_self_check_fails")
        try folder.writeManifest(id: "fixture_self_check_fails", library: "libtbot_fixture_self_check_fails.so", kind: "filter")
        let entry = try XCTUnwrap(folder.catalog().entry(id: "fixture_self_check_fails"))
        XCTAssertEqual(entry.state, .blocked)
        XCTAssertEqual(entry.reason, "\(path): self_check failed: window must be at least 2, got 0")
    }

    func testManifestParametersReachCreate() throws {
        try folder.install("tbot_fixture_self_check_fails")
        try folder.writeManifest(id: "fixture_self_check_fails", library: "libtbot_fixture_self_check_fails.so",
                                 kind: "filter", params: "window = 3")
        XCTAssertEqual(folder.catalog().entry(id: "fixture_self_check_fails")?.state, .loaded)
    }

    func testLibraryWhoseIdDiffersFromItsManifest() throws {
        let path = try folder.install("tbot_sma_cross_c")
        let manifest = try folder.writeManifest(id: "sma_other", library: "libtbot_sma_cross_c.so", kind: "strategy")
        let entry = try XCTUnwrap(folder.catalog().entry(id: "sma_other"))
        XCTAssertEqual(entry.state, .blocked)
        XCTAssertEqual(entry.reason, "\(path): library declares id 'sma_cross_c' but \(manifest) says 'sma_other'")
    }

    func testLibraryWhoseKindDiffersFromItsManifest() throws {
        let path = try folder.install("tbot_price_band_filter")
        let manifest = try folder.writeManifest(id: "price_band", library: "libtbot_price_band_filter.so", kind: "broker")
        let entry = try XCTUnwrap(folder.catalog().entry(id: "price_band"))
        XCTAssertEqual(entry.reason, "\(path): library is a filter plugin but \(manifest) says broker")
    }

    func testDroppedLibraryIsDiscoveredAndDisabled() throws {
        let path = try folder.install("tbot_price_band_filter")
        let entry = try XCTUnwrap(folder.catalog().entry(id: "price_band"))
        XCTAssertEqual(entry.state, .discovered)
        XCTAssertFalse(entry.enabled)
        XCTAssertEqual(entry.library, path)
        XCTAssertEqual(entry.kind, .filter)
        XCTAssertEqual(entry.version, "1.0.0")
        XCTAssertEqual(entry.abi, "1.3")
        XCTAssertNil(entry.instance)
        XCTAssertEqual(entry.reason, "no manifest: disabled until `tbot plugins enable price_band`")
    }

    func testDisabledPluginIsNotCreated() throws {
        try folder.install("tbot_fixture_create_null")
        try folder.writeManifest(id: "fixture_create_null", library: "libtbot_fixture_create_null.so", kind: "strategy", enabled: false)
        let entry = try XCTUnwrap(folder.catalog().entry(id: "fixture_create_null"))
        XCTAssertEqual(entry.state, .disabled)
        XCTAssertNil(entry.reason, "create was never called, so it could not fail")
        XCTAssertTrue(folder.catalog().enabledFailures.isEmpty)
    }

    func testPluginLogAndConfigReachTheHost() throws {
        let log = LogCapture()
        _ = try TestHost.instance("tbot_sma_cross_c", environment: TestHost.environment(log: log))
        XCTAssertEqual(log.lines.count, 1)
        XCTAssertTrue(log.lines[0].hasSuffix("INFO [test] sma_cross_c created: fast=5 slow=20 size=0 plugin=sma_cross_c\n"), log.lines[0])
        XCTAssertTrue(log.lines[0].hasPrefix("2023-11-14T22:13:20.000Z "), log.lines[0])
    }

    func testFilterReadsBandFromRuntimeConfig() throws {
        let text = RuntimeConfigFixtures.exampleText(replacing: ["MIN_PRICE": "20", "MAX_PRICE": "30"])
        let config = try RuntimeConfig.validate(text: text, file: "band.env").get()
        let filter = try XCTUnwrap(FilterPlugin(TestHost.instance("tbot_price_band_filter", environment: TestHost.environment(config: config))))
        let intent = TradeIntent(strategyID: "t", action: .enter, side: .buy, rank: 1, symbol: "SPY",
                                 entryPrice: 42.1, stopPrice: 41, targetPrice: 44, confidence: 0.5, tag: "x")
        XCTAssertEqual(try filter.evaluate(intent, lastBar: nil, vix: nil, now: 0), .block(reason: "entry 42.10 above max_price 30.00"))
    }

    func testSelfCheckRejectsAnInvertedBand() throws {
        let library = try PluginLibraryLoader.open(TestPaths.library("tbot_price_band_filter")).get()
        let made = PluginInstance.make(library: library, parameters: [.init(key: "min_price", value: "10"), .init(key: "max_price", value: "5")],
                                       environment: TestHost.environment())
        XCTAssertEqual(made.failureDescription, "\(library.path): self_check failed: min_price (10) must be below max_price (5)")
    }
}

extension Result where Failure == PluginLoadFailure {
    var failureDescription: String? {
        if case .failure(let failure) = self { return failure.description }
        return nil
    }
}

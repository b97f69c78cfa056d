// swift-tools-version:6.0
import PackageDescription

// Plugins and test fixtures are dynamic library products (lib<name>.so) that the host
// loads with dlopen. `swift build` builds every root product, so one plain build puts
// them next to the `tbot` binary; `make plugins` copies the bundled ones into plugins/.
// Every target names its path: Plugins/ is also SwiftPM's default folder for package plugins.

/// A C plugin built against the header alone: entry symbol visible, everything else hidden.
func cPlugin(_ target: String, product: String, path: String, headers: [String] = []) -> (Product, Target) {
    (
        .library(name: product, type: .dynamic, targets: [target]),
        .target(
            name: target,
            dependencies: ["TBotPluginAPI"],
            path: path,
            publicHeadersPath: ".",
            cSettings: [.unsafeFlags(["-fvisibility=hidden"])] + headers.map { .headerSearchPath($0) }
        )
    )
}

/// A Swift plugin: a dynamic library exporting the entry through @_cdecl.
func swiftPlugin(_ target: String, product: String, path: String) -> (Product, Target) {
    (
        .library(name: product, type: .dynamic, targets: [target]),
        .target(name: target, dependencies: ["TBotPluginAPI"], path: path)
    )
}

let plugins: [(Product, Target)] = [
    cPlugin("SMACrossC", product: "tbot_sma_cross_c", path: "Plugins/SMACrossC"),
    swiftPlugin("SMACrossSwift", product: "tbot_sma_cross_swift", path: "Plugins/SMACrossSwift"),
    cPlugin("PriceBandFilter", product: "tbot_price_band_filter", path: "Plugins/PriceBandFilter"),
    swiftPlugin("PaperBroker", product: "tbot_paper_broker", path: "Plugins/PaperBroker"),
    swiftPlugin("AlpacaBroker", product: "tbot_alpaca_broker", path: "Plugins/AlpacaBroker"),
    // Seed strategies and filters (docs/strategies.md); Plugins/PluginSupport is their shared header.
    cPlugin("OpenRangeBreakout", product: "tbot_open_range_breakout", path: "Plugins/OpenRangeBreakout", headers: ["../PluginSupport"]),
    cPlugin("VWAPReversion", product: "tbot_vwap_reversion", path: "Plugins/VWAPReversion", headers: ["../PluginSupport"]),
    cPlugin("CloseMomentum", product: "tbot_close_momentum", path: "Plugins/CloseMomentum", headers: ["../PluginSupport"]),
    cPlugin("TechnicalBreakout", product: "tbot_technical_breakout", path: "Plugins/TechnicalBreakout", headers: ["../PluginSupport"]),
    cPlugin("MeanReversion", product: "tbot_mean_reversion", path: "Plugins/MeanReversion", headers: ["../PluginSupport"]),
    cPlugin("ADXFilter", product: "tbot_adx_filter", path: "Plugins/ADXFilter", headers: ["../PluginSupport"]),
    cPlugin("BollingerConfluence", product: "tbot_bollinger_confluence", path: "Plugins/BollingerConfluence", headers: ["../PluginSupport"]),
    cPlugin("VIXGatekeeper", product: "tbot_vix_gatekeeper", path: "Plugins/VIXGatekeeper", headers: ["../PluginSupport"]),
]

// Deliberately broken or instrumented plugins for the loader tests and `tbot bench abi`.
// Tests/Fixtures/Common holds the no-op strategy they share; it is not a target.
let fixtures: [(Product, Target)] = [
    cPlugin("FixtureNoEntry", product: "tbot_fixture_no_entry", path: "Tests/Fixtures/NoEntry", headers: ["../Common"]),
    cPlugin("FixtureABIMajor", product: "tbot_fixture_abi_major", path: "Tests/Fixtures/ABIMajor", headers: ["../Common"]),
    cPlugin("FixtureABIMinorNewer", product: "tbot_fixture_abi_minor_newer", path: "Tests/Fixtures/ABIMinorNewer", headers: ["../Common"]),
    cPlugin("FixtureCreateNull", product: "tbot_fixture_create_null", path: "Tests/Fixtures/CreateNull", headers: ["../Common"]),
    cPlugin("FixtureSelfCheckFails", product: "tbot_fixture_self_check_fails", path: "Tests/Fixtures/SelfCheckFails"),
    cPlugin("FixtureRankedPool", product: "tbot_fixture_ranked_pool", path: "Tests/Fixtures/RankedPool"),
    cPlugin("FixtureBench", product: "tbot_fixture_bench", path: "Tests/Fixtures/Bench", headers: ["../../../Host/BenchDirect"]),
]

let package = Package(
    name: "TBot",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tbot", targets: ["tbot"]),
        .library(name: "TBotCore", targets: ["TBotCore"]),
    ] + plugins.map(\.0) + fixtures.map(\.0),
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
    ],
    targets: [
        .target(
            name: "TBotPluginAPI",
            path: "PluginAPI",
            sources: ["src"],
            publicHeadersPath: "include"
        ),
        // The reference point of `tbot bench abi`: the same trivial on_bar, linked into the host.
        .target(
            name: "TBotBenchDirect",
            dependencies: ["TBotPluginAPI"],
            path: "Host/BenchDirect",
            publicHeadersPath: "."
        ),
        .target(
            name: "TBotCore",
            dependencies: [
                "TBotPluginAPI",
                "TBotBenchDirect",
                "TBotCurl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Host/Core",
            // The pipeline is single-threaded and runs once per bar: the dynamic exclusivity
            // checks on class properties cost several percent of a backtest. Debug builds
            // (the tests) keep them.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // SMTP for e-mail alerts: a non-variadic wrapper over libcurl (Swift cannot call curl_easy_setopt).
        .target(name: "TBotCurl", path: "Host/Curl", publicHeadersPath: ".", linkerSettings: [.linkedLibrary("curl")]),
        .executableTarget(
            name: "tbot",
            dependencies: [
                "TBotCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Host/CLI"
        ),
        // Tests never depend on plugin targets (their entry symbols would be linked in);
        // they load the built .so files from the build folder instead.
        .testTarget(
            name: "TBotTests",
            dependencies: ["TBotCore", "TBotPluginAPI"],
            path: "Tests/TBotTests"
        ),
    ] + plugins.map(\.1) + fixtures.map(\.1),
    swiftLanguageModes: [.v5]
)

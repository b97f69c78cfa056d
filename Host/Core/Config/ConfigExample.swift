import Foundation

extension ConfigSchema {
    /// Groups for the example file, following the seed's section order.
    static var sections: [(title: String, keys: [ConfigKey])] {
        [
            ("General & Debugging", generalKeys),
            ("Trade Execution, Risk Controls & Price/Volume Filters", riskKeys),
            ("Strategy Routing, Broker Mode, Time & Polling", routingKeys),
            ("OPEN Strategy", sessionKeys("OPEN")),
            ("MID Strategy (VWAP Reversion)", sessionKeys("MID")),
            ("CLOSE Strategy (EOD Momentum/Fade)", sessionKeys("CLOSE")),
            ("Notifications, Ledger Export & Defense Mode", reportingKeys),
            ("Risk engine (optional, not in the seed as keys; shown commented out with the seed's numbers)", riskEngineKeys),
            ("Host settings (optional, not in the seed; shown commented out with their defaults)", hostKeys),
            ("Live runtime: broker endpoints, watchdog, e-mail alerts (optional; shown commented out with their defaults)", runtimeKeys),
        ]
    }

    /// A complete, valid `.env_bot` with the seed's values and one comment line per key.
    /// Optional host keys are commented out so the file stays a plain seed file.
    public static func exampleFileText() -> String {
        var lines = [
            "# .env_bot - TBot runtime configuration (seed key names and values).",
            "# Times are UTC. Every uncommented key is required; unknown keys are ignored with a warning.",
            "# Secrets (API keys, passwords) do not belong here: they come from the environment.",
        ]
        for section in sections {
            lines += ["", "# " + String(repeating: "-", count: 41), "# \(section.title)", "# " + String(repeating: "-", count: 41)]
            for key in section.keys {
                lines.append("")
                lines.append("# \(key.summary). Allowed: \(key.expectedForm)")
                lines.append((key.required ? "" : "# ") + "\(key.name)=\(key.defaultValue)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

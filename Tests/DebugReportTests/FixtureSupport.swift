import DebugReport
import Foundation
import Vocabulary
import XCTest

/// A stderr capture of a real CPython run, stored as Fixtures/<version>-<scenario>.txt.
struct Fixture: Sendable {
    let version: String
    let scenario: String
    let text: String

    var name: String { "\(version)-\(scenario)" }

    /// The minor version of Python 3 ("3.11d" is the Debian debug build of 3.11).
    var minor: Int {
        let digits = version.split(separator: ".")[1].prefix { $0.isNumber }
        return Int(digits) ?? 0
    }

    var report: DebugHookReport { DebugReportParser.parse(text) }

    /// The fill bytes of this version's debug hooks: the captured 3.7.16 already
    /// uses the values that bpo-36389 introduced for 3.8.
    var fill: DebugFillBytes { minor >= 7 ? .current : .legacy }

    /// Since 3.9 the fatal message is prefixed by the C function that failed.
    var hasFunctionPrefix: Bool { minor >= 9 }

    /// "Python runtime state:" appeared in 3.8.
    var hasRuntimeState: Bool { minor >= 8 }

    /// Only 3.6 and 3.7 (built with PYMEM_DEBUG_SERIALNO) print serial numbers.
    var hasSerialNumber: Bool { minor < 8 }

    /// Since 3.10 fatal errors list non-stdlib extension modules; of the ones
    /// loaded by the scenarios only _testcapi is such a module.
    var listsTestCapi: Bool {
        minor >= 10 && ["trailing-pad", "api-misuse", "without-gil-mem", "without-gil-obj"].contains(scenario)
    }
}

enum Fixtures {
    static let versions = ["3.6.15", "3.7.16", "3.8.18", "3.9.18", "3.10.13", "3.11.7", "3.12.1", "3.13.0", "3.11d"]
    static let scenarios = [
        "trailing-pad", "leading-pad", "bad-id", "api-misuse", "api-id-byte", "zero-bytes",
        "without-gil-mem", "without-gil-obj", "tracemalloc", "other-thread",
    ]

    static let all: [Fixture] = load()

    static func scenario(_ name: String) -> [Fixture] {
        all.filter { $0.scenario == name }
    }

    static func named(_ name: String) -> Fixture? {
        all.first { $0.name == name }
    }

    private static func load() -> [Fixture] {
        guard let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil),
            let files = try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        else { return [] }
        return files.filter { $0.pathExtension == "txt" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .compactMap(fixture(at:))
    }

    private static func fixture(at url: URL) -> Fixture? {
        let stem = url.deletingPathExtension().lastPathComponent
        guard let dash = stem.firstIndex(of: "-"), let data = try? Data(contentsOf: url) else { return nil }
        return Fixture(
            version: String(stem[..<dash]),
            scenario: String(stem[stem.index(after: dash)...]),
            text: String(decoding: data, as: UTF8.self)
        )
    }
}

/// The script the ctypes-based scenarios ran (Fixtures/cases.py) as it appears in frames.
let casesScript = "/tmp/drcap/cases.py"

func frame(_ line: Int, _ function: String? = nil, file: String = casesScript) -> TraceFrame {
    TraceFrame(file: file, line: line, function: function)
}

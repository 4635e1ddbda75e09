import Foundation
import Isolation
import TestSupport
import XCTest

/// The package's folders, found from this file (the tests read and, when asked, rewrite them).
enum PackagePaths {
    static let root = PackageFolder.url
    static let schemas = root.appendingPathComponent("Schemas")
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
}

/// The external validators: Debian's python3-jsonschema for the JSON documents, xmllint for the
/// JUnit XML. Missing, they fail the test with one line that says what to install.
enum Validators {
    static let python = "/usr/bin/python3"

    /// Problems `json` has against Schemas/NAME.schema.json; empty when it validates.
    static func jsonProblems(_ json: String, schema name: String) throws -> [String] {
        guard FileManager.default.isExecutableFile(atPath: python),
            try run(python, ["-c", "import jsonschema"]).exitStatus == 0
        else {
            throw Missing(tool: "python3-jsonschema", install: "apt-get install -y python3-jsonschema")
        }
        let file = try temporary(json, suffix: ".json")
        defer { try? FileManager.default.removeItem(at: file) }
        let script = PackagePaths.schemas.appendingPathComponent("validate-json.py").path
        let outcome = try run(python, [script, name, file.path])
        return outcome.exitStatus == 0 ? [] : lines(outcome)
    }

    /// Problems `xml` has against Schemas/junit.xsd; empty when it validates.
    static func junitProblems(_ xml: String) throws -> [String] {
        guard let xmllint = executable("xmllint") else {
            throw Missing(tool: "xmllint", install: "apt-get install -y libxml2-utils")
        }
        let file = try temporary(xml, suffix: ".xml")
        defer { try? FileManager.default.removeItem(at: file) }
        let xsd = PackagePaths.schemas.appendingPathComponent("junit.xsd").path
        let outcome = try run(xmllint, ["--noout", "--schema", xsd, file.path])
        return outcome.exitStatus == 0 ? [] : lines(outcome)
    }

    struct Missing: Error, CustomStringConvertible {
        var tool: String
        var install: String
        var description: String { "\(tool) is not installed; install it to run this test: \(install)" }
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> ChildOutcome {
        try ChildProcess.run(executable: executable, arguments: arguments, timeout: 120)
    }

    private static func lines(_ outcome: ChildOutcome) -> [String] {
        let text = (outcome.stdout + outcome.stderr).split(separator: "\n").map(String.init)
        return text.isEmpty ? ["the validator \(outcome.summary) and said nothing"] : Array(text.prefix(20))
    }

    private static func temporary(_ text: String, suffix: String) throws -> URL {
        let name = "pymemcheck-\(UUID().uuidString)\(suffix)"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private static func executable(_ name: String) -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

extension XCTestCase {
    /// Fails (one line per problem, or the one line saying what to install) unless `json` is a
    /// valid document of the schema.
    func assertValid(
        _ json: String, schema: String, _ what: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            for problem in try Validators.jsonProblems(json, schema: schema) {
                XCTFail("\(what): \(problem)", file: file, line: line)
            }
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }

    func assertValidJUnit(_ xml: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            for problem in try Validators.junitProblems(xml) { XCTFail("\(what): \(problem)", file: file, line: line) }
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }

    private var regenerate: String { "PYMEMCHECK_UPDATE_GOLDEN=1 swift test --filter ReportsTests" }

    /// Fails unless `rendered` is the golden file's content; PYMEMCHECK_UPDATE_GOLDEN=1 rewrites it.
    func assertGolden(_ rendered: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = PackagePaths.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["PYMEMCHECK_UPDATE_GOLDEN"] == "1" {
            try rendered.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let golden = try? String(contentsOf: url, encoding: .utf8) else {
            return XCTFail("no golden file \(name); write it with \(regenerate)", file: file, line: line)
        }
        guard rendered != golden else { return }
        let renderedLines = rendered.components(separatedBy: "\n")
        let goldenLines = golden.components(separatedBy: "\n")
        let common = min(renderedLines.count, goldenLines.count)
        let first = (0..<common).first { renderedLines[$0] != goldenLines[$0] } ?? common
        let seen = first < renderedLines.count ? renderedLines[first] : "(end)"
        let expected = first < goldenLines.count ? goldenLines[first] : "(end)"
        XCTFail(
            "\(name) differs at line \(first + 1): rendered '\(seen)', golden '\(expected)' "
                + "(if the change is meant: \(regenerate))", file: file, line: line)
    }
}

import Foundation
import Isolation
import TestSupport
import XCTest

@testable import Reports

/// The HTML page fits a 1,366-pixel screen whatever the number of targets, and shows every
/// failure, deviation and reason as text on the page, not only in tooltips.
final class HTMLLayoutTests: XCTestCase {
    static let screen = 1_366

    func testNothingIsWiderThanTheScreen() throws {
        let html = try ReportRenderer.render(WideMatrix.matrix, as: .html)
        let style = try XCTUnwrap(styleSheet(html), "no style sheet")
        let maxWidth = try XCTUnwrap(firstNumber(after: "main{max-width:", in: style), "main has no max-width")
        XCTAssertLessThanOrEqual(maxWidth, Self.screen)
        for width in pixelValues(in: style) { XCTAssertLessThanOrEqual(width, Self.screen, "a length of \(width)px") }
        // One table per target, each in a box that scrolls on its own.
        let tables = html.components(separatedBy: "<table class=matrix>").dropFirst()
        XCTAssertEqual(tables.count, WideMatrix.targets.count)
        XCTAssertEqual(occurrences(of: "<div class=scroll><table class=matrix>", in: html), tables.count)
        XCTAssertTrue(style.contains(".scroll{overflow-x:auto"), style)
        for table in tables {
            let head = table.components(separatedBy: "</thead>")[0]
            XCTAssertEqual(occurrences(of: "<th class=mode", in: head), WideMatrix.modes.count)
        }
    }

    func testEveryFindingAndReasonIsVisibleText() throws {
        for matrix in [SampleDocuments.matrix, WideMatrix.matrix] {
            let visible = visibleText(try ReportRenderer.render(matrix, as: .html))
            for result in matrix.results where result.status != .pass {
                for line in EvidenceText.lines(result.evidence) where !line.isEmpty {
                    XCTAssertTrue(visible.contains(line), "\(result.clause) \(result.mode): '\(line.prefix(80))'")
                }
            }
            for target in matrix.targets {
                for reason in matrix.notApplicableReasons(target: target) {
                    XCTAssertTrue(visible.contains("\(reason.count) × \(reason.reason)"), reason.reason)
                }
            }
        }
        let visible = visibleText(try ReportRenderer.render(WideMatrix.matrix, as: .html))
        XCTAssertEqual(occurrences(of: WideMatrix.deviationText, in: visible), 1, "the deviation once")
    }

    /// With Chromium installed, the page as a browser lays it out at 1,366 pixels: no horizontal
    /// scroll, even with a line of evidence that has nowhere to break. Skipped without it.
    func testChromiumLaysItOutWithinTheScreen() throws {
        guard
            let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
                .first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else {
            throw Requirement.missing(
                "no Chromium here (apt-get install -y chromium); the other layout tests still run")
        }
        for (name, matrix) in [("sample", SampleDocuments.matrix), ("wide", WideMatrix.matrix)] {
            let width = try scrollWidth(try ReportRenderer.render(matrix, as: .html), chromium: chromium)
            XCTAssertLessThanOrEqual(width, Self.screen, "\(name): the page scrolls sideways at \(Self.screen) px")
        }
    }

    /// The page's scroll width in Chromium at a 1,366-pixel window, with every section open.
    private func scrollWidth(_ html: String, chromium: String) throws -> Int {
        let measure = """
            <script>document.querySelectorAll('details').forEach(d => d.open = true);
            document.title = 'WIDTH ' + document.documentElement.scrollWidth;</script>
            """
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pymemcheck-\(UUID()).html")
        try (html + measure).write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let outcome = try ChildProcess.run(
            executable: chromium,
            arguments: [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--window-size=\(Self.screen),900", "--dump-dom", file.absoluteString,
            ], timeout: 120)
        return try XCTUnwrap(firstNumber(after: "<title>WIDTH ", in: outcome.stdout), outcome.summary)
    }
}

/// The decimal number right after `prefix` in `text`.
private func firstNumber(after prefix: String, in text: String) -> Int? {
    guard let start = text.range(of: prefix) else { return nil }
    return Int(text[start.upperBound...].prefix { $0.isNumber })
}

/// The page's style sheet: what is between <style> and </style>.
private func styleSheet(_ html: String) -> String? {
    guard let start = html.range(of: "<style>"), let end = html.range(of: "</style>"),
        start.upperBound < end.lowerBound
    else { return nil }
    return String(html[start.upperBound..<end.lowerBound])
}

/// Every length in pixels a style sheet sets ("900px" gives 900).
private func pixelValues(in css: String) -> [Int] {
    css.components(separatedBy: "px").dropLast().compactMap { before in
        let digits = before.reversed().prefix { $0.isNumber }
        return digits.isEmpty ? nil : Int(String(digits.reversed()))
    }
}

/// What a reader sees of a page: no style sheet, no tags (their attributes, tooltips among
/// them, with them), entities read.
private func visibleText(_ html: String) -> String {
    var text = html
    if let start = text.range(of: "<style>"), let end = text.range(of: "</style>") {
        text.removeSubrange(start.lowerBound..<end.upperBound)
    }
    var visible = ""
    var inTag = false
    for character in text {
        if character == "<" {
            inTag = true
        } else if character == ">" && inTag {
            inTag = false
        } else if !inTag {
            visible.append(character)
        }
    }
    let entities = ["&lt;": "<", "&gt;": ">", "&quot;": "\"", "&apos;": "'", "&#10;": "\n", "&#13;": "\r"]
    for (entity, character) in entities { visible = visible.replacingOccurrences(of: entity, with: character) }
    return visible.replacingOccurrences(of: "&amp;", with: "&")
}

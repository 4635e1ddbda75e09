import Foundation
import Results

/// Every document's JSON form: sorted keys, indented, slashes as they are (paths stay readable),
/// a final newline.
public enum DocumentJSON {
    public static func render<Document: Encodable>(_ document: Document) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }
}

/// "1 target" or "2 targets".
func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}

/// A document a command prints: text for a person, or its JSON.
public protocol ReadableDocument: Encodable {
    func text() -> String
}

extension ReadableDocument {
    public func rendered(asJSON json: Bool) throws -> String {
        json ? try DocumentJSON.render(self) : text()
    }
}

extension TargetsDocument: ReadableDocument {}
extension ProbeDocument: ReadableDocument {}
extension ReplayDocument: ReadableDocument {}
extension BenchDocument: ReadableDocument {}
extension Certificate: ReadableDocument {}

import Foundation

/// A sequence of ops: what one fuzz input or one corpus file asks for.
public struct Program: Sendable, Hashable {
    public var ops: [Op]

    public init(_ ops: [Op]) { self.ops = ops }

    /// The ops before the first violation, and that violation (nil when there is none).
    /// A violation run stops at its first violation: whatever follows a broken rule has no
    /// documented meaning, so only the legal prefix and one violation are run.
    public var legalPrefixAndFirstViolation: (prefix: [Op], violation: Op?) {
        guard let index = ops.firstIndex(where: \.isViolation) else { return (ops, nil) }
        return (Array(ops[..<index]), ops[index])
    }

    /// The program with every violation dropped: what a legal (non-isolated) run executes.
    public var withoutViolations: [Op] { ops.filter { !$0.isViolation } }
}

/// Why a file could not be loaded as a program; the description names the file.
public enum OpInputError: Error, CustomStringConvertible, Sendable, Hashable {
    case unreadable(path: String, reason: String)
    case text(path: String, TextFormError)
    case bytes(path: String, ByteFormError)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
        case .text(let path, let error): return "\(path): \(error)"
        case .bytes(let path, let error): return "\(path): \(error)"
        }
    }
}

/// Loads a program from a file in either form, so corpus files and hand-written repros are
/// used the same way.
public enum OpInput {
    public static func load(path: String) throws -> Program {
        try load(bytes: try read(path: path), path: path)
    }

    /// The program of a file's bytes (read by the caller); `path` names it in an error.
    public static func load(bytes: [UInt8], path: String) throws -> Program {
        if let text = textForm(of: bytes) {
            do { return try TextForm.parse(text) } catch { throw OpInputError.text(path: path, error) }
        }
        do { return try ByteForm.decode(bytes) } catch { throw OpInputError.bytes(path: path, error) }
    }

    /// The contents as text when they look like the text form: valid UTF-8 whose first
    /// non-blank line is a comment or starts with an op word, or any printable text (so that a
    /// misspelt op is reported as such, by line). A byte-form file starts with the version byte
    /// 0x01, a control character, so the two forms cannot be confused.
    static func textForm(of bytes: [UInt8]) -> String? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        let lines = text.split(whereSeparator: \.isNewline)
        guard let first = lines.first(where: { !$0.allSatisfy(\.isWhitespace) }) else { return nil }
        let trimmed = first.drop(while: \.isWhitespace)
        if trimmed.hasPrefix("#") { return text }
        let word = trimmed.prefix(while: { !$0.isWhitespace })
        if TextForm.opWords.contains(String(word)) { return text }
        let printable = bytes.allSatisfy { $0 >= 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        return printable ? text : nil
    }

    private static func read(path: String) throws(OpInputError) -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
    }
}

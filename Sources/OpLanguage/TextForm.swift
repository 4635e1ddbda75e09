import Vocabulary

/// Why a line of the text form could not be parsed: the 1-based line and what was expected.
public struct TextFormError: Error, CustomStringConvertible, Sendable, Hashable {
    public let line: Int
    public let message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}

/// The text form of programs: one op per line, for hand-written repros and readable corpora
/// (syntax in Fuzz/FORMAT.md).
public enum TextForm {
    public static let header = "# pymemcheck ops v1"

    /// The words a line can start with.
    public static let opWords = [
        "malloc", "calloc", "realloc", "free", "write", "check",
        "fail-next", "raw-thread", "on", "violation",
    ]
    static let violationWords = ["cross-free", "pad-write", "api-id", "without-gil"]

    public static func render(_ program: Program) -> String {
        ([header] + program.ops.map(line(for:))).map { $0 + "\n" }.joined()
    }

    public static func parse(_ text: String) throws(TextFormError) -> Program {
        var ops: [Op] = []
        // "\r\n" is one Character in Swift, so CRLF files need it named; other newline
        // characters are not line breaks, so line numbers match what editors show.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (i, raw) in lines.enumerated() {
            if i == 0 { try checkHeader(raw) }
            let tokens = raw.prefix(while: { $0 != "#" }).split(whereSeparator: \.isWhitespace)
            guard !tokens.isEmpty else { continue }
            var parser = LineParser(tokens: tokens.map(String.init), line: i + 1)
            ops.append(try parser.parse())
        }
        return Program(ops)
    }

    public static func line(for op: Op) -> String {
        switch op {
        case .malloc(let d, let s, let sl): return "malloc \(d.name) \(s) -> \(sl)"
        case .calloc(let d, let c, let s, let sl): return "calloc \(d.name) \(c) \(s) -> \(sl)"
        case .realloc(let d, let sl, let s): return "realloc \(d.name) \(sl) \(s)"
        case .free(let d, let sl): return "free \(d.name) \(sl)"
        case .write(let sl, let o, let l, let seed): return "write \(sl) \(o) \(l) seed \(seed)"
        case .check(let sl): return "check \(sl)"
        case .failNext(let d, let f): return "fail-next \(d.name) \(f.name)"
        case .rawThread(let rounds): return "raw-thread \(rounds)"
        case .crossFree(let sl, let d): return "violation cross-free \(sl) \(d.name)"
        case .padWrite(let sl, let o): return "violation pad-write \(sl) \(o)"
        case .apiIDWrite(let sl): return "violation api-id \(sl)"
        case .withoutGIL(let d): return "violation without-gil \(d.name)"
        case .on(let place): return "on \(place.name)"
        }
    }

    /// A first line naming another text-form version is refused rather than misread.
    static func checkHeader(_ line: Substring) throws(TextFormError) {
        let words = line.split(whereSeparator: \.isWhitespace)
        guard words.count == 4, words[0] == "#", words[1] == "pymemcheck", words[2] == "ops",
            words[3] != "v1", words[3].hasPrefix("v")
        else { return }
        throw TextFormError(line: 1, message: "unsupported text-form version '\(words[3])'; expected '\(header)'")
    }
}

/// Parses the tokens of one non-blank line; every error names what the op's syntax expected.
struct LineParser {
    let tokens: [String]
    let line: Int
    private var index = 0
    private var usage = ""

    init(tokens: [String], line: Int) {
        self.tokens = tokens
        self.line = line
    }

    /// The op on the line, once nothing is left after its last operand.
    mutating func parse() throws(TextFormError) -> Op {
        let op = try op()
        guard index < tokens.count else { return op }
        throw fail("unexpected '\(tokens[index])' after the last operand")
    }

    private mutating func op() throws(TextFormError) -> Op {
        let word = try take("an op")
        switch word {
        case "malloc":
            usage = "malloc <domain> <size> -> <slot>"
            let d = try domain()
            let s = try size()
            return .malloc(d, size: s, slot: try arrow())
        case "calloc":
            usage = "calloc <domain> <count> <size> -> <slot>"
            let d = try domain()
            let c = try size()
            let s = try size()
            return .calloc(d, count: c, size: s, slot: try arrow())
        case "realloc":
            usage = "realloc <domain> <slot> <size>"
            let d = try domain()
            let sl = try slot()
            return .realloc(d, slot: sl, size: try size())
        case "free":
            usage = "free <domain> <slot>"
            let d = try domain()
            return .free(d, slot: try slot())
        case "write": return try write()
        case "check":
            usage = "check <slot>"
            return .check(slot: try slot())
        case "fail-next":
            usage = "fail-next <domain> <function>"
            let d = try domain()
            return .failNext(d, try function())
        case "raw-thread":
            usage = "raw-thread <rounds>"
            return .rawThread(rounds: try byte("a round count"))
        case "on":
            usage = "on <place>"
            return .on(try place())
        case "violation": return try violation()
        default:
            throw fail("unknown op '\(word)'; expected one of \(TextForm.opWords.joined(separator: ", "))")
        }
    }

    private mutating func write() throws(TextFormError) -> Op {
        usage = "write <slot> <offset> <length> seed <seed>"
        let sl = try slot()
        let offset = try byte("an offset")
        let length = try byte("a length")
        try keyword("seed")
        return .write(slot: sl, offset: offset, length: length, seed: try byte("a seed"))
    }

    private mutating func violation() throws(TextFormError) -> Op {
        let word = try take("a violation (\(TextForm.violationWords.joined(separator: ", ")))")
        switch word {
        case "cross-free":
            usage = "violation cross-free <slot> <domain>"
            let sl = try slot()
            return .crossFree(slot: sl, try domain())
        case "pad-write":
            usage = "violation pad-write <slot> <offset>"
            let sl = try slot()
            return .padWrite(slot: sl, offset: try padOffset())
        case "api-id":
            usage = "violation api-id <slot>"
            return .apiIDWrite(slot: try slot())
        case "without-gil":
            usage = "violation without-gil <domain>"
            return .withoutGIL(try domain())
        default:
            let words = TextForm.violationWords.joined(separator: ", ")
            throw fail("unknown violation '\(word)'; expected one of \(words)")
        }
    }
}

// MARK: - Operands

extension LineParser {
    private mutating func take(_ what: String) throws(TextFormError) -> String {
        guard index < tokens.count else { throw fail("expected \(what), got end of line") }
        defer { index += 1 }
        return tokens[index]
    }

    private mutating func keyword(_ word: String) throws(TextFormError) {
        let token = try take("'\(word)'")
        guard token == word else { throw fail("expected '\(word)', got '\(token)'") }
    }

    /// `-> <slot>`: where malloc and calloc put the new block.
    private mutating func arrow() throws(TextFormError) -> Slot {
        try keyword("->")
        return try slot()
    }

    private mutating func domain() throws(TextFormError) -> AllocatorDomain {
        try named("a domain", AllocatorDomain.allCases, \.name)
    }

    private mutating func place() throws(TextFormError) -> Place {
        try named("a place", Place.allCases, \.name)
    }

    private mutating func function() throws(TextFormError) -> AllocatorFunction {
        try named("an allocator function", AllocatorFunction.allCases, \.name)
    }

    /// A word naming one of `all`; the error lists them: "expected a place (main, thread, interpreter)".
    private mutating func named<T>(_ what: String, _ all: [T], _ name: (T) -> String) throws(TextFormError) -> T {
        let expected = "\(what) (\(all.map(name).joined(separator: ", ")))"
        let token = try take(expected)
        guard let value = all.first(where: { name($0) == token }) else {
            throw fail("expected \(expected), got '\(token)'")
        }
        return value
    }

    /// Slots are written s0...s15; unlike the byte form, text does not wrap out-of-range slots,
    /// because a hand-written s16 is a mistake, not a mutation.
    private mutating func slot() throws(TextFormError) -> Slot {
        let what = "a slot s0...s\(Slot.count - 1)"
        let token = try take(what)
        guard token.first == "s", let i = Int(token.dropFirst()), (0..<Slot.count).contains(i) else {
            throw fail("expected \(what), got '\(token)'")
        }
        return Slot(i)
    }

    private mutating func size() throws(TextFormError) -> Size {
        let what = "a size (decimal, 0x hex, SSIZE_MAX, SSIZE_MAX+1 or SIZE_MAX)"
        let token = try take(what)
        guard let bytes = Self.sizeValue(token) else { throw fail("expected \(what), got '\(token)'") }
        return Size(bytes)
    }

    static func sizeValue(_ token: String) -> UInt? {
        switch token {
        case "SIZE_MAX": return UInt.max
        case "SSIZE_MAX": return UInt(Int.max)
        case "SSIZE_MAX+1": return UInt(Int.max) + 1
        default: return unsigned(token)
        }
    }

    /// Decimal or 0x hex, digits only (no sign), so that "-1" is an error rather than a wrap.
    static func unsigned<T: FixedWidthInteger & UnsignedInteger>(_ token: String, as: T.Type = UInt.self) -> T? {
        let hex = token.hasPrefix("0x") || token.hasPrefix("0X")
        let digits = hex ? token.dropFirst(2) : Substring(token)
        guard !digits.isEmpty, digits.allSatisfy(\.isHexDigit) else { return nil }
        return T(digits, radix: hex ? 16 : 10)
    }

    private mutating func byte(_ what: String) throws(TextFormError) -> UInt8 {
        let full = "\(what) 0...255"
        let token = try take(full)
        guard let b = Self.unsigned(token, as: UInt8.self) else { throw fail("expected \(full), got '\(token)'") }
        return b
    }

    private mutating func padOffset() throws(TextFormError) -> Int8 {
        let what = "a pad offset -128...127 (-1...-7 before the block, 0...7 after it)"
        let token = try take(what)
        guard let o = Int8(token) else { throw fail("expected \(what), got '\(token)'") }
        return o
    }

    private func fail(_ message: String) -> TextFormError {
        TextFormError(line: line, message: usage.isEmpty ? message : "\(message); usage: \(usage)")
    }
}

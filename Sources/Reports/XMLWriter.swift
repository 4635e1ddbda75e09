/// Writes XML 1.0 a line per element, every attribute value and text escaped: what a test's output holds
/// (a child's stderr with control characters, `]]>`, quotes) cannot break the document.
struct XMLWriter {
    private(set) var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private var open: [String] = []
    /// Whether the last element started has no content yet (it ends as `<name .../>`).
    private var empty = false

    typealias Attributes = KeyValuePairs<String, String>

    mutating func start(_ name: String, _ attributes: Attributes = [:]) {
        line("<\(name)\(Self.render(attributes))>")
        open.append(name)
        empty = true
    }

    mutating func end() {
        let name = open.removeLast()
        if empty {
            text.removeLast(2) // ">\n"
            text += "/>\n"
            empty = false
        } else {
            line("</\(name)>")
        }
    }

    /// An element with text content, or empty (`<name .../>`) when there is none.
    mutating func element(_ name: String, _ attributes: Attributes = [:], text content: String = "") {
        let head = "<\(name)\(Self.render(attributes))"
        line(content.isEmpty ? head + "/>" : head + ">" + Self.escape(content, inAttribute: false) + "</\(name)>")
    }

    private mutating func line(_ markup: String) {
        empty = false
        text += String(repeating: "  ", count: open.count) + markup + "\n"
    }

    private static func render(_ attributes: Attributes) -> String {
        attributes.map { " \($0.key)=\"\(escape($0.value, inAttribute: true))\"" }.joined()
    }

    /// The five predefined entities; in an attribute also tab, newline and carriage return as
    /// character references (a parser would fold them to spaces); and every character XML 1.0
    /// does not allow, or discourages (C0 and C1 controls, DEL, U+FFFE/U+FFFF), written
    /// visibly as `\u{XX}` text. Invalid UTF-8 never gets here: decoding made it U+FFFD.
    static func escape(_ value: String, inAttribute: Bool) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\r": escaped += "&#13;"
            case "\t", "\n": escaped += inAttribute ? "&#\(scalar.value);" : String(scalar)
            default: escaped += allowed(scalar) ? String(scalar) : visible(scalar)
            }
        }
        return escaped
    }

    /// `\u{1B}`: the character's code, as text.
    private static func visible(_ scalar: Unicode.Scalar) -> String {
        "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
    }

    private static func allowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20..<0x7F, 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }
}

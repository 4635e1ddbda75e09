import Yams

/// What is wrong in a clause file, in one line, and where: the line and column of a YAML
/// syntax error (Yams' mark), or of the node a decoding error's path leads to.
struct ClauseFileProblem {
    /// Line and column, from 1.
    struct Place {
        var line: Int
        var column: Int
    }

    var place: Place?
    var text: String

    init(_ error: any Error, in yaml: String) {
        if case .dataCorrupted(let context) = error as? DecodingError, let syntax = context.underlyingError {
            self.init(syntax: syntax, in: yaml)
            return
        }
        guard let error = error as? DecodingError else {
            self.init(mark: nil, text: "\(error)")
            return
        }
        self.init(decoding: error, in: yaml)
    }

    private init(mark: Mark?, text: String) {
        self.init(place: mark.map { Place(line: $0.line, column: $0.column) }, text: text)
    }

    private init(place: Place?, text: String) {
        self.place = place
        self.text = text
    }

    /// libyaml's reason, with what it was parsing when it is said.
    private init(syntax error: any Error, in yaml: String) {
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            self.init(mark: mark, text: problem + (context.map { " (\($0.text))" } ?? ""))
        case .reader(let problem, let offset, _, _):
            self.init(place: offset.map { Self.place(atOffset: $0, in: yaml) }, text: problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            self.init(mark: context.mark, text: "duplicate key \(duplicates.joined(separator: ", "))")
        default:
            self.init(mark: nil, text: "not YAML: \(error)")
        }
    }

    /// A field missing or of the wrong type: the path to it, at the node it names.
    private init(decoding error: DecodingError, in yaml: String) {
        let root = try? Yams.compose(yaml: yaml)
        // An empty file has no node at all: what it lacks is missing from its start.
        func place(_ context: DecodingError.Context) -> Place {
            let mark = Self.node(at: context.codingPath, in: root)?.mark
            return Place(line: mark?.line ?? 1, column: mark?.column ?? 1)
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.init(place: place(context), text: "missing '\(key.stringValue)' at \(Self.path(context))")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            self.init(
                place: place(context), text: "\(Self.plain(context.debugDescription)) at \(Self.path(context))")
        @unknown default:
            self.init(mark: nil, text: "\(error)")
        }
    }

    /// "clauses[3].sources", or "the top level".
    static func path(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
        return path.isEmpty ? "the top level" : String(path.joined().drop { $0 == "." })
    }

    /// The node a coding path leads to, or the deepest one on the way that exists.
    static func node(at path: [any CodingKey], in root: Node?) -> Node? {
        var node = root
        for key in path {
            let next: Node?
            if let index = key.intValue, let sequence = node?.sequence, sequence.indices.contains(index) {
                next = sequence[index]
            } else {
                next = node?[key.stringValue]
            }
            guard let next else { break }
            node = next
        }
        return node
    }

    /// Yams' words for a node's kind, in a catalogue writer's: "Expected to decode Sequence but
    /// found Node instead." says a list was expected.
    static func plain(_ description: String) -> String {
        let expected = ["Sequence": "a list", "Mapping": "a mapping (key: value lines)"]
        for (word, meaning) in expected where description.hasPrefix("Expected to decode \(word)") {
            return "expected \(meaning)"
        }
        return description.hasSuffix(".") ? String(description.dropLast()) : description
    }

    /// Line and column (from 1) of a character offset.
    static func place(atOffset offset: Int, in yaml: String) -> Place {
        let before = yaml.prefix(offset)
        let line = before.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
        let column = before.reversed().prefix { $0 != "\n" }.count + 1
        return Place(line: line, column: column)
    }
}

import Foundation
import Yams

/// The clause catalogue: every YAML file of the Conformance/ folder (built into the binary, or
/// read from a folder a developer names).
public struct Catalogue: Sendable {
    /// One file: a documentation section and its clauses.
    public struct Section: Sendable, Codable, Equatable {
        public var section: String
        public var testClass: String
        public var clauses: [Clause]
        /// The file it was read from (set on load).
        public var file: String?

        enum CodingKeys: String, CodingKey {
            case section
            case testClass = "test_class"
            case clauses
        }
    }

    public var sections: [Section]

    public var clauses: [Clause] { sections.flatMap(\.clauses) }

    public func clause(_ id: String) -> Clause? { clauses.first { $0.id == id } }

    /// The section a clause belongs to.
    public func section(of id: String) -> Section? { sections.first { $0.clauses.contains { $0.id == id } } }

    public init(sections: [Section]) { self.sections = sections }

    /// Reads every *.yaml file of `folder`, in name order. A file that does not parse is named
    /// with the parser's reason.
    public static func load(from folder: String) throws -> Catalogue {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }
                .sorted()
        } catch {
            throw CatalogueError("cannot read the catalogue folder \(folder): \(error.localizedDescription)")
        }
        guard !names.isEmpty else { throw CatalogueError("no clause files (*.yaml) in \(folder)") }
        return Catalogue(sections: try names.map { try loadSection("\(folder)/\($0)") })
    }

    /// The catalogue pymemcheck was built with (Conformance/*.yaml then), carried in the binary
    /// so that a copy of it runs anywhere.
    public static func builtIn() throws -> Catalogue {
        let files = EmbeddedText.files.filter { $0.name.hasSuffix(".yaml") }
        guard !files.isEmpty else { throw CatalogueError("this pymemcheck was built without its catalogue") }
        return Catalogue(
            sections: try files.map { file in
                try section(from: file.text, file: file.name, origin: "Conformance/\(file.name)")
            })
    }

    /// The catalogue folder a developer names instead of the built-in catalogue: `option` (a
    /// command's --catalogue), else PYMEMCHECK_CATALOGUE; nil for the built-in one.
    public static func folder(option: String?) -> String? {
        if let option { return option }
        let explicit = ProcessInfo.processInfo.environment["PYMEMCHECK_CATALOGUE"] ?? ""
        return explicit.isEmpty ? nil : explicit
    }

    /// The catalogue of `folder`, or the built-in one when it is nil.
    public static func load(folder: String?) throws -> Catalogue {
        try folder.map(load(from:)) ?? builtIn()
    }

    static func loadSection(_ path: String) throws -> Section {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CatalogueError("cannot read \(path): \(error.localizedDescription)")
        }
        return try section(from: text, file: (path as NSString).lastPathComponent, origin: path)
    }

    /// One clause file's section; `origin` names the file in an error.
    static func section(from text: String, file: String, origin: String) throws -> Section {
        do {
            var section = try YAMLDecoder().decode(Section.self, from: text)
            section.file = file
            return section
        } catch {
            throw CatalogueError("\(origin) is not a valid clause file: \(describe(error))")
        }
    }

    /// A decoding error in one line, with the path to the offending field.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at \(path(context))"
        @unknown default: return "\(error)"
        }
    }
}

public struct CatalogueError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

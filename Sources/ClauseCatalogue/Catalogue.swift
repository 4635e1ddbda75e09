import Foundation
import Yams

/// The clause catalogue: every YAML file of the Conformance/ folder.
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
            names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }.sorted()
        } catch {
            throw CatalogueError("cannot read the catalogue folder \(folder): \(error.localizedDescription)")
        }
        guard !names.isEmpty else { throw CatalogueError("no clause files (*.yaml) in \(folder)") }
        return Catalogue(sections: try names.map { try loadSection("\(folder)/\($0)") })
    }

    static func loadSection(_ path: String) throws -> Section {
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            var section = try YAMLDecoder().decode(Section.self, from: text)
            section.file = (path as NSString).lastPathComponent
            return section
        } catch let error as CatalogueError {
            throw error
        } catch {
            throw CatalogueError("\(path) is not a valid clause file: \(describe(error))")
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

    /// The catalogue folder: PYMEMCHECK_CATALOGUE, else Conformance/ in the working folder or
    /// above the executable (the package folder when run from .build/).
    public static func defaultFolder() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["PYMEMCHECK_CATALOGUE"], !explicit.isEmpty { return explicit }
        var candidates = [FileManager.default.currentDirectoryPath]
        var folder = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            folder = (exe as NSString).deletingLastPathComponent
        }
        while folder.count > 1 {
            candidates.append(folder)
            folder = (folder as NSString).deletingLastPathComponent
        }
        for candidate in candidates {
            let path = candidate + "/Conformance"
            if FileManager.default.fileExists(atPath: path + "/README.md") { return path }
        }
        throw CatalogueError("no Conformance/ catalogue found; run from the pymemcheck folder or set PYMEMCHECK_CATALOGUE")
    }
}

public struct CatalogueError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

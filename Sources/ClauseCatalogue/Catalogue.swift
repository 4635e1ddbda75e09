import Foundation
import PyRuntime
import Yams

/// The clause catalogue: every YAML file of the Conformance/ folder (built into the binary, or
/// read from a folder a developer names).
public struct Catalogue: Sendable {
    /// One file: a documentation section and its clauses.
    public struct Section: Sendable, Codable, Equatable {
        public var section: String
        public var clauses: [Clause]
        /// The file it was read from (set on load).
        public var file: String?

        enum CodingKeys: String, CodingKey {
            case section
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
    /// with the parser's reason and where in the file it is.
    public static func load(from folder: String) throws -> Catalogue {
        try InputFile.checkFolder(folder, as: .catalogueFolder)
        guard let listed = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw CatalogueError("cannot list the catalogue folder \(folder); check that you may read it")
        }
        let names = listed.filter { $0.hasSuffix(".yaml") }.sorted()
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
        guard let text = String(validating: try InputFile.read(path, as: .clauseFile), as: UTF8.self) else {
            throw CatalogueError("\(path) is not UTF-8 text; a clause file is YAML")
        }
        return try section(from: text, file: (path as NSString).lastPathComponent, origin: path)
    }

    /// One clause file's section; `origin` names the file in an error, with the line and
    /// column of what is wrong.
    static func section(from text: String, file: String, origin: String) throws -> Section {
        do {
            var section = try YAMLDecoder().decode(Section.self, from: text)
            section.file = file
            return section
        } catch {
            let problem = ClauseFileProblem(error, in: text)
            let place = problem.place.map { "\(origin):\($0.line):\($0.column)" } ?? origin
            throw CatalogueError("\(place): not a valid clause file: \(problem.text)")
        }
    }
}

extension InputFile.Role {
    static let catalogueFolder = Self(
        noun: "catalogue folder", hint: "give a folder of clause files (*.yaml), like the package's Conformance/")
    static let clauseFile = Self(
        noun: "clause file", hint: "a clause file is YAML (see Conformance/README.md)",
        sizeLimit: (1 << 20, "the largest of Conformance/ is 20 KiB"))
}

public struct CatalogueError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

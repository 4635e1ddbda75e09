import Foundation
import PyRuntime
import Vocabulary

/// One normative statement of the documents, as the catalogue (Conformance/*.yaml) records it.
public struct Clause: Sendable, Codable, Equatable {
    /// Where in the documents the statement stands.
    public struct Source: Sendable, Codable, Equatable {
        /// A seed document's file name, or a path in `repository` (CPython's source, changelog).
        public var file: String
        public var section: String
        public var lines: String?
        /// Where `file` lives when it is not one of the documents: "python/cpython".
        public var repository: String?
    }

    public enum Kind: String, Sendable, Codable {
        /// Checked inside a running target; a failure is a wrong answer, not a crash.
        case inProcess = "in-process"
        /// The target must abort with the debug hooks' report; checked in an isolated child.
        case expectedFatal = "expected-fatal"
    }

    public enum Subject: String, Sendable, Codable {
        /// The contract of an allocator behind CPython's API, whichever is installed.
        case contract
    }

    /// Either every mode or the listed ones.
    public enum Modes: Sendable, Equatable, Codable {
        case all
        case only([AllocatorMode])

        public func contains(_ mode: AllocatorMode) -> Bool {
            switch self {
            case .all: return true
            case .only(let modes): return modes.contains(mode)
            }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let word = try? container.decode(String.self), word == "all" {
                self = .all
                return
            }
            let names = try container.decode([String].self)
            self = .only(
                try names.map { name in
                    guard let mode = AllocatorMode(rawValue: name) else {
                        throw DecodingError.dataCorruptedError(
                            in: container, debugDescription: "unknown mode '\(name)'")
                    }
                    return mode
                })
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .all: try container.encode("all")
            case .only(let modes): try container.encode(modes.map(\.name))
            }
        }
    }

    public var id: String
    public var statement: String
    public var sources: [Source]
    /// First and last versions the statement holds for ("3.6", "3.7.16"); until nil: still holds.
    public var since: String
    public var until: String?
    public var domains: [String]
    public var features: [Feature]
    public var modes: Modes
    public var kind: Kind
    /// Whose promise the clause is: an allocator's (any installed one must keep it, and certify
    /// asks it of a plugin), or, when nil, CPython's own set-up (which allocator a mode names,
    /// pymalloc's arenas, tracemalloc).
    public var subject: Subject?
    /// How the check works, in words.
    public var check: String
    public var expectedReport: [ExpectedReport]?
    public var deviations: [Deviation]?
    /// Where the documents say different things about the statement, what each says.
    public var contradiction: String?

    enum CodingKeys: String, CodingKey {
        case id, statement, sources, since, until, domains, features, modes, kind, subject, check
        case expectedReport = "expected_report"
        case deviations, contradiction
    }

    /// The allocator domains the clause covers.
    public var allocatorDomains: [AllocatorDomain] { domains.compactMap(AllocatorDomain.init(name:)) }

    /// Whether `version` lies in since...until. A bound "3.11" covers every 3.11.x.
    public func holds(for version: PythonVersion) -> Bool {
        VersionRange(since: since, until: until).contains(version)
    }

    /// The expected report for a version, where the clause is expected-fatal.
    public func expectedReport(for version: PythonVersion) -> ExpectedReport? {
        expectedReport?.first { $0.versions.contains(version) }
    }

    /// The recorded deviation of a target and mode, if any.
    public func deviation(target: PythonTarget, mode: AllocatorMode) -> Deviation? {
        deviations?.first { $0.applies(to: target, mode: mode) }
    }
}

/// What a clause needs of a target and mode.
public enum Feature: String, Sendable, Codable, CaseIterable {
    case pymalloc, mimalloc
    case debugHooks = "debug-hooks"
    case debugBuild = "debug-build"
    case releaseBuild = "release-build"
    /// A build with --disable-gil (3.13+), and its opposite: the rules one of them makes alone.
    case freeThreaded = "free-threaded"
    case gilBuild = "gil-build"
    case tracemalloc, headers, threads
}

/// A range of versions; bounds name a series ("3.9") or a release ("3.7.16").
public struct VersionRange: Sendable, Codable, Equatable {
    public var since: String?
    public var until: String?

    public func contains(_ version: PythonVersion) -> Bool {
        if let since, let low = PythonVersion(parsing: since), version < low { return false }
        if let until, let high = PythonVersion(parsing: until) {
            // "3.9" as an upper bound means every 3.9.x.
            let bound = until.split(separator: ".").count == 2 ? PythonVersion(high.major, high.minor, Int.max) : high
            if version > bound { return false }
        }
        return true
    }
}

/// A real, recorded departure of a target from the documents (never a skip): the clause is
/// still run there, and the result is "expected deviation" only while the check observes
/// exactly `observation`; any other failure (a crash, a timeout, other bytes) is a failure.
public struct Deviation: Sendable, Codable, Equatable {
    /// A target id or version pattern: "3.7.16", "3.7", "3.11.2d", "3.9+", "3.12-3.13", "*".
    public var target: String
    /// A mode name, or "*" (or absent) for every mode.
    public var mode: String?
    public var observed: String
    /// What the check observes instead, in its own exact words (the alternative expectation).
    public var observation: String
    public var evidence: String

    public func applies(to target: PythonTarget, mode: AllocatorMode) -> Bool {
        let modeMatches = self.mode == nil || self.mode == "*" || self.mode == mode.name
        return modeMatches && TargetPattern(self.target).matches(target)
    }
}

/// "*", "3.7", "3.7.16", "3.11d", "3.11.2d", "3.13t", "3.7+", "3.13t+", "3.12-3.13": which targets
/// a deviation names. A trailing "+" names that version and every later one, and "A-B" the
/// versions from A to B's series (both included), release and debug builds alike, with a GIL or
/// without; "t" (free-threaded) and "d" (debug), CPython's ABI flags, narrow a pattern to such builds.
struct TargetPattern {
    let text: String
    init(_ text: String) { self.text = text }

    func matches(_ target: PythonTarget) -> Bool {
        if text == "*" || text == target.id { return true }
        if text.hasSuffix("+") {
            let since = String(text.dropLast())
            if since.hasSuffix("t") {
                return target.freeThreaded
                    && VersionRange(since: String(since.dropLast()), until: nil).contains(target.version)
            }
            return VersionRange(since: since, until: nil).contains(target.version)
        }
        let bounds = text.split(separator: "-").map(String.init)
        if bounds.count == 2, bounds.allSatisfy({ PythonVersion(parsing: $0) != nil }) {
            return VersionRange(since: bounds[0], until: bounds[1]).contains(target.version)
        }
        let debug = text.hasSuffix("d")
        let freeThreaded = text.trimmingCharacters(in: .init(charactersIn: "d")).hasSuffix("t")
        let numbers = text.trimmingCharacters(in: .init(charactersIn: "td")).split(separator: ".").compactMap {
            Int($0)
        }
        let have = [target.version.major, target.version.minor, target.version.micro]
        return !numbers.isEmpty && debug == target.debugBuild && freeThreaded == target.freeThreaded
            && Array(have.prefix(numbers.count)) == numbers
    }
}

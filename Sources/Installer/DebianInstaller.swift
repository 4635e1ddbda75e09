import Foundation
import PyRuntime
import Vocabulary

/// Debian's newest CPython of a series from its binary packages (the unstable suite has the
/// newest), unpacked with dpkg-deb beside the C library and every library it loads, into a root
/// of its own in the cache: nothing is installed into the system and no apt source is edited.
/// The root runs on its own C library (DebianRoot), whatever glibc the machine has.
public enum DebianInstaller {
    public static let suite = "sid"

    /// Makes (or finds made) the root of `series`' newest version, with its debug build when asked.
    public static func install(
        series: String, version: String?, debug: Bool, cache: String, progress: (String) -> Void
    ) throws -> DebianRoot {
        let archive = try DebianArchive.load(suite: suite, cache: cache, progress: progress)
        let library = "libpython\(series)"
        guard let package = archive.packages[library] else {
            throw PyMemCheckError.usage(
                "Debian's \(suite) has no \(library); it has: \(available(in: archive).joined(separator: ", "))")
        }
        let upstream = Self.upstream(package.version)
        if let version, version != upstream {
            throw PyMemCheckError.usage(
                "Debian's \(suite) has \(library) \(package.version), not \(version): install \(series) for it")
        }
        let root = DebianRoot(path: "\(cache)/\(upstream)")
        let dbg = archive.packages["\(library)-dbg"]
        if debug && dbg == nil {
            throw PyMemCheckError.usage("Debian's \(suite) ships no debug build of \(series) (\(library)-dbg)")
        }
        // The library with what it loads, its headers (for the clauses that compile against them) and
        // its python program (for those that run it); the debug build's own library, pyconfig.h and
        // python3.Xd beside them. Their other dependencies (tk, readline) serve modules no check imports.
        let roots = [
            "libc6", library, "\(library)-minimal", "\(library)-stdlib", "\(library)-dev", "python\(series)-minimal",
        ]
        let debugBuild = debug ? [dbg!] + (archive.packages["python\(series)-dbg"].map { [$0] } ?? []) : []
        let made = FileManager.default.fileExists(atPath: "\(root.path)/\(DebianRoot.marker)")
        let unpacked = made ? Self.unpackedPackages(root.path) : []
        let wanted = try (archive.libraryClosure(of: roots) + debugBuild).filter { !unpacked.contains($0.name) }
        if wanted.isEmpty {
            progress("\(upstream)\(debug ? "d" : "") is installed in \(root.path)")
            return root
        }
        let building = made ? root.path : root.path + ".partial"
        if !made { try? FileManager.default.removeItem(atPath: building) }
        try FileManager.default.createDirectory(atPath: building, withIntermediateDirectories: true)
        for (index, package) in wanted.enumerated() {
            progress("[\(index + 1)/\(wanted.count)] \(package.name) \(package.version)")
            let deb = try fetch(package, from: archive, cache: cache)
            try Tool.run("dpkg-deb", ["-x", deb, building], package: "dpkg", what: "cannot unpack \(deb)")
        }
        let marker = "\(building)/\(DebianRoot.marker)"
        let listed =
            (try? String(contentsOfFile: marker, encoding: .utf8))
            ?? "Debian \(suite), unpacked by pymemcheck install\n"
        try (listed + wanted.map { "\($0.name) \($0.version)\n" }.joined()).write(
            toFile: marker, atomically: true, encoding: .utf8)
        if !made { try FileManager.default.moveItem(atPath: building, toPath: root.path) }
        return root
    }

    /// The packages a root's marker lists as unpacked into it (a line "NAME VERSION" each).
    static func unpackedPackages(_ root: String) -> Set<String> {
        let listed = (try? String(contentsOfFile: "\(root)/\(DebianRoot.marker)", encoding: .utf8)) ?? ""
        return Set(
            listed.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) })
    }

    /// The Debian series the suite has a libpython of: "3.13", "3.14", ...
    public static func available(in archive: DebianArchive) -> [String] {
        archive.packages.keys.compactMap { name in
            name.wholeMatch(of: #/libpython(3\.[0-9]+)/#).map { String($0.1) }
        }.sorted {
            $0.split(separator: ".").compactMap { Int($0) }.lexicographicallyPrecedes(
                $1.split(separator: ".").compactMap { Int($0) })
        }
    }

    /// "3.14.10" of "3.14.10-1" (and of an epoch's "1:3.14.10-1").
    static func upstream(_ version: String) -> String {
        let noEpoch = version.split(separator: ":").last.map(String.init) ?? version
        return String(noEpoch.split(separator: "-")[0])
    }

    /// The package file, downloaded once into the cache and checked against the index each time.
    private static func fetch(_ package: DebianArchive.Package, from archive: DebianArchive, cache: String) throws
        -> String
    {
        let folder = "\(cache)/debs"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let file = "\(folder)/\((package.filename as NSString).lastPathComponent)"
        if FileManager.default.fileExists(atPath: file), try Tool.sha256(of: file) == package.sha256 { return file }
        try Tool.download("\(archive.mirror)/\(package.filename)", to: file, sha256: package.sha256)
        return file
    }
}

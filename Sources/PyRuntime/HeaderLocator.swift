import Foundation

/// Where a target's Python.h is, and whether a C compiler is there to use it.
public enum HeaderLocator {
    public static func includeFolder(for target: PythonTarget) -> String? {
        guard let prefix = target.prefix else { return nil }
        // The folder carries the build's ABI flags: python3.13t, python3.11d, python3.7m.
        let series = target.version.series + (target.freeThreaded ? "t" : "")
        let names =
            target.debugBuild ? ["python\(series)d", "python\(series)"] : ["python\(series)", "python\(series)m"]
        return names.map { "\(prefix)/include/\($0)" }.first {
            FileManager.default.fileExists(atPath: "\($0)/Python.h")
        }
    }

    /// Every folder to pass with -I: the headers, and Debian's multiarch pyconfig.h folder.
    public static func includeFlags(for target: PythonTarget) -> [String] {
        guard let folder = includeFolder(for: target), let prefix = target.prefix else { return [] }
        let name = (folder as NSString).lastPathComponent
        let multiarch =
            (try? FileManager.default.contentsOfDirectory(atPath: "\(prefix)/include"))?
            .filter { $0.hasSuffix("-linux-gnu") }.map { "\(prefix)/include/\($0)/\(name)" }
            .filter { FileManager.default.fileExists(atPath: $0) } ?? []
        // Debian's pyconfig.h includes <x86_64-linux-gnu/python3.X/pyconfig.h>, which the compiler
        // finds under /usr/include by itself, but under a Debian root's include/ only when told.
        let root = prefix == "/usr" ? [] : ["\(prefix)/include"]
        return ([folder] + multiarch + root).map { "-I" + $0 }
    }

    public static func pythonHeader(for target: PythonTarget) -> String? {
        guard compiler != nil, let folder = includeFolder(for: target) else { return nil }
        return folder + "/Python.h"
    }

    public static let compiler: String? = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
}

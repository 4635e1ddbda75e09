import ArgumentParser
import Foundation
import Installer
import PyRuntime
import Vocabulary

/// `pymemcheck install SPEC`: makes a target the machine does not have, into the cache, without
/// changing the system: Debian's newest binary packages of a series with their own C library,
/// or an instrumented build of Debian's source package.
struct InstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install a CPython target into pymemcheck's cache (Debian's newest binaries, or a source build).",
        discussion: """
            3.14, 3.15 (or an exact version such as 3.14.10): Debian's newest binary packages of the \
            series, unpacked with dpkg-deb beside the C library they need; 3.14d adds the debug build. \
            3.13.5t: Debian's 3.13.5 source built free-threaded (--disable-gil) by Fuzz/cpython/build.sh; \
            3.11.2-fuzz, 3.13.5-asan, 3.13.5t-fuzz, ...: its instrumented builds. Nothing is installed into the \
            system.
            """)

    @Argument(help: "What to install (see --list).") var spec: String?
    @Flag(help: "List what can be installed and what is.") var list = false

    func run() throws {
        try reportingErrors {
            let environment = ProcessInfo.processInfo.environment
            let cache = TargetDiscovery.debianRootFolder(environment: environment)
            if list { return try printList(cache: cache) }
            guard let spec else { throw PyMemCheckError.usage("give what to install (pymemcheck install --list)") }
            let wanted = try InstallSpec(parsing: spec)
            switch wanted {
            case .debian(let series, let version, let debug):
                let root = try DebianInstaller.install(
                    series: series, version: version, debug: debug, cache: cache, progress: say)
                let targets = TargetDiscovery.discover().targets.filter { $0.root == root }
                guard !targets.isEmpty else {
                    throw PyMemCheckError.runtime(
                        "\(root.path) was unpacked but no target in it starts; delete it and run again")
                }
                for target in targets { print("installed \(target.id): \(target.libraryPath)") }
            case .source(let version, let freeThreaded, let sanitizer):
                try SourceInstaller.install(version: version, freeThreaded: freeThreaded, sanitizer: sanitizer)
                print("installed \(wanted) (pymemcheck targets lists it)")
            }
        }
    }

    private func say(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }

    private func printList(cache: String) throws {
        let targets = TargetDiscovery.discover().targets
        let installed = Set(targets.filter { $0.origin == .source }.map(\.id))
        let archive = try DebianArchive.load(suite: DebianInstaller.suite, cache: cache, progress: say)
        print("Debian \(DebianInstaller.suite), binary packages (with their own C library):")
        for series in DebianInstaller.available(in: archive) {
            guard let package = archive.packages["libpython\(series)"] else { continue }
            let debug = archive.packages["libpython\(series)-dbg"] != nil ? ", \(series)d" : ""
            print("  \(series)\(debug)  (\(package.version))")
        }
        print("Debian source packages built here (Fuzz/cpython/build.sh):")
        for version in InstallSpec.sourceVersions {
            let variants = InstallSpec.sanitizers.keys.sorted().map { "-\($0)" }
            var ids = variants.map { version + $0 }
            if InstallSpec.freeThreadedVersions.contains(version) {
                ids = ["\(version)t"] + ids + variants.map { "\(version)t\($0)" }
            }
            print("  " + ids.map { installed.contains($0) ? "\($0) (installed)" : $0 }.joined(separator: ", "))
        }
        let debian = targets.filter { $0.origin == .debian }.map(\.id)
        if !debian.isEmpty { print("installed from Debian's binaries: \(debian.joined(separator: ", "))") }
    }
}

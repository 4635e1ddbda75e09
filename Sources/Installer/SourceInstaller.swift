import Foundation
import Isolation
import PyRuntime
import Vocabulary

/// A build of Debian's source package by Fuzz/cpython/build.sh (the script that makes the
/// instrumented builds), run from the checkout pymemcheck was built in.
public enum SourceInstaller {
    public static func install(version: String, freeThreaded: Bool, sanitizer: String?) throws {
        if freeThreaded, !InstallSpec.freeThreadedVersions.contains(version) {
            throw PyMemCheckError.usage(
                "\(version) has no free-threaded build (--disable-gil came in 3.13); build "
                    + InstallSpec.freeThreadedVersions.map { "\($0)t" }.joined(separator: ", "))
        }
        guard freeThreaded || sanitizer != nil else {
            throw PyMemCheckError.usage(
                "Fuzz/cpython/build.sh makes \(version) instrumented (\(version)-fuzz, -asan, -cov) or free-threaded "
                    + "(\(version)t); the plain build is a Debian package (pymemcheck install --list)")
        }
        let script = try buildScript()
        let arguments =
            [version] + (freeThreaded ? ["--free-threaded"] : []) + (sanitizer.map { ["--sanitizer", $0] } ?? [])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script] + arguments
        process.standardOutput = FileHandle.standardError // its progress and prefix, as it goes
        do { try process.run() } catch {
            throw PyMemCheckError.environment("cannot run \(script): \(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PyMemCheckError.environment(
                "\(script) \(arguments.joined(separator: " ")) failed (exit \(process.terminationStatus)); "
                    + "its message is above")
        }
    }

    /// Fuzz/cpython/build.sh of the checkout: $PYMEMCHECK_CHECKOUT, or the folder above the
    /// executable's .build/ (swift build puts pymemcheck in CHECKOUT/.build/<configuration>/).
    static func buildScript() throws -> String {
        let relative = "Fuzz/cpython/build.sh"
        if let checkout = ProcessInfo.processInfo.environment["PYMEMCHECK_CHECKOUT"], !checkout.isEmpty {
            return "\(checkout)/\(relative)"
        }
        var folder = URL(fileURLWithPath: try SelfExecutable.path()).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<6 {
            let script = folder.appendingPathComponent(relative).path
            if FileManager.default.fileExists(atPath: script) { return script }
            folder.deleteLastPathComponent()
        }
        throw PyMemCheckError.environment(
            "a source build needs the checkout's \(relative); set PYMEMCHECK_CHECKOUT to the checkout")
    }
}

import Foundation
import Isolation
import PyRuntime

/// A build of Debian's source package by Fuzz/cpython/build.sh (the script that makes the
/// instrumented builds), run from the checkout pymemcheck was built in.
public enum SourceInstaller {
    public static func install(version: String, freeThreaded: Bool, sanitizer: String?) throws {
        guard !freeThreaded, let sanitizer else {
            throw PyMemCheckError.usage(
                "Fuzz/cpython/build.sh makes instrumented builds only (\(version)-fuzz, -asan, -cov); "
                    + "a free-threaded build is not made by it yet")
        }
        let script = try buildScript()
        let arguments = [version, "--sanitizer", sanitizer]
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

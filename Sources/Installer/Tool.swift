import Foundation
import Isolation
import PyRuntime
import Vocabulary

/// The programs an install runs (curl, gpgv, xz, sha256sum, dpkg-deb), each failure one line
/// that says what to do.
enum Tool {
    /// Runs `name arguments`; throws `what` and the program's last line when it fails.
    @discardableResult
    static func run(_ name: String, _ arguments: [String], package: String, what: String, timeout: Double = 600)
        throws -> String
    {
        guard let path = locate(name) else {
            throw PyMemCheckError.environment("\(name) is not installed: apt-get install \(package)")
        }
        let outcome = try ChildProcess.run(executable: path, arguments: arguments, timeout: timeout)
        guard outcome.exitedCleanly else {
            let said = outcome.stderr.split(separator: "\n").last.map { " (\($0))" } ?? ""
            throw PyMemCheckError.environment("\(what): \(name) \(outcome.summary)\(said)")
        }
        return outcome.stdout
    }

    /// Downloads `url` to `file` (through a partial file, so an interrupted download is never
    /// taken for a finished one), and checks its SHA256 when one is given.
    static func download(_ url: String, to file: String, sha256: String? = nil) throws {
        let partial = file + ".partial"
        try run(
            "curl", ["-fsSL", "--retry", "2", "--connect-timeout", "20", "-o", partial, url], package: "curl",
            what: "cannot download \(url)")
        if let sha256 {
            guard try Self.sha256(of: partial) == sha256 else {
                try? FileManager.default.removeItem(atPath: partial)
                throw PyMemCheckError.environment(
                    "\(url) does not have the SHA256 Debian's index gives; try again later")
            }
        }
        try? FileManager.default.removeItem(atPath: file)
        try FileManager.default.moveItem(atPath: partial, toPath: file)
    }

    /// The file's SHA256, as sha256sum prints it.
    static func sha256(of file: String) throws -> String? {
        let sum = try run("sha256sum", [file], package: "coreutils", what: "cannot hash \(file)")
        return sum.split(separator: " ").first.map(String.init)
    }

    static func locate(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return (path.split(separator: ":") + ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]).map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

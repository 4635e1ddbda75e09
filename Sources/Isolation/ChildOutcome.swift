import Foundation

/// What became of a child process: how it ended and what it printed.
public struct ChildOutcome: Sendable, Equatable, Codable {
    /// Exit status when the child exited normally.
    public var exitStatus: Int32?
    /// The signal that terminated it (SIGABRT for Py_FatalError, SIGSEGV for a crash, SIGKILL after a time-out).
    public var signal: Int32?
    /// The child outlived its time limit and was killed.
    public var timedOut: Bool
    public var stdout: String
    public var stderr: String
    /// Wall time from spawn to reaping, in seconds.
    public var seconds: Double

    public init(exitStatus: Int32?, signal: Int32?, timedOut: Bool, stdout: String, stderr: String, seconds: Double) {
        self.exitStatus = exitStatus
        self.signal = signal
        self.timedOut = timedOut
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
    }

    public var exitedCleanly: Bool { exitStatus == 0 && signal == nil && !timedOut }

    /// A one-line account of how the child ended, for reports: for a crash, what the child's
    /// own crash report said of it (the faulting address, the thread, the allocator call).
    public var summary: String {
        if timedOut { return "hung: killed after its time limit (\(String(format: "%.1f", seconds)) s)" }
        if let signal {
            let name = Self.signalName(signal)
            // The crash line starts with the signal's name, said already.
            let detail = crash.map { $0.hasPrefix(name + " ") ? String($0.dropFirst(name.count)) : ": " + $0 } ?? ""
            return "terminated by signal \(signal) (\(name))" + detail
        }
        return "exited with status \(exitStatus ?? -1)"
    }

    /// The child's own crash line (CrashSignals.reportCrashes), without its prefix.
    public var crash: String? {
        stderrLines.last { $0.hasPrefix(CrashSignals.reportPrefix) }.map {
            String($0.dropFirst(CrashSignals.reportPrefix.count))
        }
    }

    /// The lines of standard error other than the crash line (which `summary` carries).
    public var diagnosticLines: [Substring] {
        stderrLines.filter { !$0.hasPrefix(CrashSignals.reportPrefix) }
    }

    private var stderrLines: [Substring] { stderr.split(separator: "\n") }

    public static func signalName(_ number: Int32) -> String {
        switch number {
        case SIGABRT: return "SIGABRT"
        case SIGSEGV: return "SIGSEGV"
        case SIGKILL: return "SIGKILL"
        case SIGBUS: return "SIGBUS"
        case SIGILL: return "SIGILL"
        case SIGFPE: return "SIGFPE"
        case SIGTRAP: return "SIGTRAP"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(number)"
        }
    }
}

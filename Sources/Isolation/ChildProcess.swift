import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program in a fresh process and collects its outcome, whatever it does: exit, abort,
/// crash, or hang (killed with its whole process group when the time limit passes).
public enum ChildProcess {
    /// Errors that keep a child from starting at all.
    public struct SpawnError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Output past this many bytes per stream is dropped, so a runaway child cannot exhaust memory.
    static let outputCap = 16 << 20

    /// Pipes are made and children spawned one at a time, and every pipe is close-on-exec: a
    /// child spawned from another thread must not inherit this child's pipes (a leaked write
    /// end keeps a worker's stdin from ever reaching its end).
    static let spawnLock = NSLock()

    public static func run(
        executable: String,
        arguments: [String],
        environment: [String: String]? = nil,
        input: String? = nil,
        timeout: Double,
        silenceLimit: Double? = nil
    ) throws -> ChildOutcome {
        let start = Date()
        let (pipes, pid) = try spawnLock.withLock {
            let pipes = try Pipes()
            let pid = try spawn(
                executable: executable, arguments: arguments,
                environment: environment ?? ProcessInfo.processInfo.environment, pipes: pipes)
            pipes.closeChildEnds()
            return (pipes, pid)
        }
        if let input { pipes.writeInput(input) } else { pipes.closeInput() }
        let (out, err, timedOut) = pipes.drain(until: start.addingTimeInterval(timeout), silenceLimit: silenceLimit) {
            kill(-pid, SIGKILL) // the child leads its own group; this reaches its children too
            kill(pid, SIGKILL)
        }
        let status = reap(pid)
        return ChildOutcome(
            exitStatus: status.exited, signal: status.signal, timedOut: timedOut,
            stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
            seconds: Date().timeIntervalSince(start))
    }

    /// A child's environment, stated: no Swift backtracer (its report would bury CPython's),
    /// and no PYTHON* variable at all: PYTHONMALLOC*, PYTHONDEVMODE and PYTHONTRACEMALLOC would
    /// change the allocators behind the mode's back, PYTHONOPTIMIZE would switch off the
    /// asserts the tracemalloc checks run, PYTHONHOME/PYTHONPATH would give a target another's
    /// standard library. A check that needs one sets it itself.
    public static func cleanEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PYTHON") }
        environment["SWIFT_BACKTRACE"] = "enable=no"
        return environment
    }

    private static func spawn(
        executable: String, arguments: [String], environment: [String: String],
        pipes: Pipes
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipes.input.read, 0)
        posix_spawn_file_actions_adddup2(&actions, pipes.output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, pipes.error.write, 2)
        for fd in pipes.allDescriptors { posix_spawn_file_actions_addclose(&actions, fd) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        // The child starts with default dispositions, so an abort really ends it with SIGABRT.
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for string in (argv + envp) { free(string) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else {
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        return pid
    }

    static func reap(_ pid: pid_t) -> (exited: Int32?, signal: Int32?) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let low = status & 0x7f
        if low == 0 { return ((status >> 8) & 0xff, nil) }
        return (nil, low)
    }
}

/// The three pipes between parent and child.
final class Pipes {
    struct Pair {
        var read: Int32
        var write: Int32
    }
    let input: Pair
    let output: Pair
    let error: Pair

    init() throws {
        func make() throws -> Pair {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else {
                throw ChildProcess.SpawnError(description: "cannot create a pipe: \(String(cString: strerror(errno)))")
            }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) } // see ChildProcess.spawnLock
            return Pair(read: fds[0], write: fds[1])
        }
        input = try make()
        output = try make()
        error = try make()
    }

    var allDescriptors: [Int32] {
        [input.read, input.write, output.read, output.write, error.read, error.write]
    }

    func closeChildEnds() {
        close(input.read)
        close(output.write)
        close(error.write)
    }

    func closeInput() { close(input.write) }

    /// Writes the child's standard input whole, then closes it. A child that stops reading
    /// early (it crashed) must not kill the parent with SIGPIPE.
    func writeInput(_ text: String) {
        signal(SIGPIPE, SIG_IGN)
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(input.write, $0.baseAddress, $0.count) }
            if written <= 0 {
                if errno == EINTR { continue }
                break
            }
            bytes = bytes.dropFirst(written)
        }
        closeInput()
    }

    /// Reads both output streams until the child closes them, the deadline passes, or (with a
    /// silence limit) the child has written nothing to stdout for that long.
    func drain(until finalDeadline: Date, silenceLimit: Double?, onTimeout: () -> Void) -> ([UInt8], [UInt8], Bool) {
        var lastOutput = Date()
        var deadline: Date {
            silenceLimit.map { min(finalDeadline, lastOutput.addingTimeInterval($0)) } ?? finalDeadline
        }
        var out: [UInt8] = []
        var err: [UInt8] = []
        var open: [Int32: Bool] = [output.read: true, error.read: true]
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        while open.values.contains(true) {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 && !timedOut {
                timedOut = true
                onTimeout()
            }
            // A descendant that left the process group may keep a pipe open: give up on it.
            if timedOut && remaining < -5 { break }
            var fds = open.filter(\.value).keys.sorted().map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let wait = timedOut ? 1000 : Int32(min(remaining * 1000, 1000).rounded(.up))
            let ready = poll(&fds, nfds_t(fds.count), max(wait, 1))
            if ready < 0 && errno != EINTR { break }
            for fd in fds where fd.revents != 0 {
                let count = read(fd.fd, &buffer, buffer.count)
                if count <= 0 {
                    open[fd.fd] = false
                    continue
                }
                if fd.fd == output.read {
                    lastOutput = Date()
                    if out.count < ChildProcess.outputCap { out += buffer[..<count] }
                } else if err.count < ChildProcess.outputCap {
                    err += buffer[..<count]
                }
            }
        }
        close(output.read)
        close(error.read)
        return (out, err, timedOut)
    }
}

import Foundation
import Isolation
import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// A file a user names (an input, a plugin, a libpython, a python, a clause file), checked in
/// one place before anything opens it: a folder, a FIFO, a device or a file far too big for
/// its role is one line in pymemcheck's words, not a hang (opening a FIFO waits for a writer;
/// dlopen opens what it is given) or Foundation's error number. Files are opened without
/// blocking and read within a time limit.
public enum InputFile {
    /// What a file is for: how an error names it, what to give instead, how big it may be.
    public struct Role: Sendable {
        public var noun: String
        public var hint: String
        /// The largest size accepted, in bytes, and why files of the role are small; nil for
        /// files that are mapped, not read.
        public var sizeLimit: (bytes: Int, why: String)?
        /// Whether the check opens the file too (not for a program, which is only run).
        public var opened: Bool

        public init(noun: String, hint: String, sizeLimit: (bytes: Int, why: String)? = nil, opened: Bool = true) {
            self.noun = noun
            self.hint = hint
            self.sizeLimit = sizeLimit
            self.opened = opened
        }

        public static let opInput = Role(
            noun: "input", hint: "give an op-language input file (text or byte form)",
            sizeLimit: (1 << 20, "op-language inputs are a few hundred bytes"))
        public static let library = Role(
            noun: "libpython",
            hint: "give a libpython*.so, a python executable or a version (see 'pymemcheck targets')")
        public static let executable = Role(
            noun: "python", hint: "give a python executable, a libpython*.so or a version", opened: false)
    }

    /// What is at a path, as far as pymemcheck cares.
    public enum Kind: Equatable, Sendable {
        case missing
        case file(size: Int)
        case folder
        case fifo
        case device
        case socket
        /// stat failed for another reason (no permission to search a folder on the way, ...).
        case unreachable(errno: Int32)
    }

    /// How long opening and reading a file may take: a local file takes microseconds.
    public static let timeLimit = 10.0

    public static func kind(_ path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return errno == ENOENT ? .missing : .unreachable(errno: errno) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file(size: Int(info.st_size))
        case S_IFDIR: return .folder
        case S_IFIFO: return .fifo
        case S_IFCHR, S_IFBLK: return .device
        default: return .socket
        }
    }

    /// Refuses anything but a regular file of a size the role allows, which opens in time.
    /// Returns its size.
    @discardableResult
    public static func check(_ path: String, as role: Role) throws -> Int {
        let size = try regularFile(path, as: role)
        if role.opened { _ = try timeLimited(path, as: role, reading: false) }
        return size
    }

    /// The file's bytes, after the same checks.
    public static func read(_ path: String, as role: Role) throws -> [UInt8] {
        _ = try regularFile(path, as: role)
        return try timeLimited(path, as: role, reading: true)
    }

    /// Refuses anything but a folder, with the role's words.
    public static func checkFolder(_ path: String, as role: Role) throws {
        let kind = kind(path)
        switch kind {
        case .folder: return
        case .file: throw refusal(path, role, "is a file, not a folder; \(role.hint)")
        default: throw refusal(path, role, problem(kind, role))
        }
    }

    private static func regularFile(_ path: String, as role: Role) throws -> Int {
        let kind = kind(path)
        guard case .file(let size) = kind else { throw refusal(path, role, problem(kind, role)) }
        if let limit = role.sizeLimit, size > limit.bytes {
            throw refusal(
                path, role,
                "is \(bytes(size)), over the limit of \(bytes(limit.bytes)) (\(limit.why)); is it the right file?")
        }
        return size
    }

    private static func problem(_ kind: Kind, _ role: Role) -> String {
        switch kind {
        case .missing: return "not found; \(role.hint)"
        case .folder: return "is a folder, not a file; \(role.hint)"
        case .fifo: return "is a FIFO (named pipe), not a file; \(role.hint)"
        case .device: return "is a device, not a file; \(role.hint)"
        case .socket: return "is a socket, not a file; \(role.hint)"
        case .unreachable(let error): return "cannot be reached: \(words(errno: error))"
        case .file: return "is a file"
        }
    }

    static func refusal(_ path: String, _ role: Role, _ problem: String) -> PyMemCheckError {
        .usage("\(role.noun) \(path) \(problem)")
    }

    /// Opens the file without blocking (a FIFO put in its place since the check must not hang
    /// the open), makes sure it is still a regular file, and reads it if asked, all within the
    /// time limit: a file system that hangs costs seconds and a line, not the run.
    private static func timeLimited(_ path: String, as role: Role, reading: Bool) throws -> [UInt8] {
        let outcome = Locked<Result<[UInt8], any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        // A thread of its own, not a dispatch queue: workers that read inputs fork children
        // later, and a forked child must not inherit libdispatch's queues.
        Thread {
            let result = Result { () throws -> [UInt8] in
                let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
                guard descriptor >= 0 else { throw refusal(path, role, "cannot be opened: \(words(errno: errno))") }
                defer { close(descriptor) }
                var info = stat()
                guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
                    throw refusal(path, role, "is no longer a regular file; \(role.hint)")
                }
                guard reading else { return [] }
                guard let bytes = readAll(descriptor) else {
                    throw refusal(path, role, "cannot be read: \(words(errno: errno))")
                }
                return bytes
            }
            outcome.withLock { $0 = result }
            done.signal()
        }.start()
        guard done.wait(timeout: .now() + timeLimit) == .success, let result = outcome.withLock({ $0 }) else {
            throw refusal(
                path, role,
                "could not be read within \(Int(timeLimit)) s; is it on a file system that does not answer?")
        }
        return try result.get()
    }

    /// Everything to the end, or nil with errno set.
    private static func readAll(_ descriptor: Int32) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            bytes += chunk[..<count]
        }
    }

    /// An errno in pymemcheck's words, for the errors a user can cause or fix.
    static func words(errno error: Int32) -> String {
        switch error {
        case EACCES, EPERM: return "no permission"
        case ENOENT: return "no such file or folder"
        case ENOTDIR: return "a part of the path is not a folder"
        case ELOOP: return "too many symbolic links"
        case ENAMETOOLONG: return "the path is too long"
        case EROFS: return "the file system is read-only"
        case ENOSPC: return "the disk is full"
        case EISDIR: return "it is a folder"
        default: return String(cString: strerror(error)).lowercased()
        }
    }

    static func bytes(_ count: Int) -> String {
        if count >= 1 << 20 { return String(format: "%.1f MiB", Double(count) / Double(1 << 20)) }
        if count >= 1 << 10 { return String(format: "%.1f KiB", Double(count) / Double(1 << 10)) }
        return "\(count) bytes"
    }
}

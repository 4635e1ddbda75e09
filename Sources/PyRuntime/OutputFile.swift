import CPythonABI
import Foundation
import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// Where a command writes its report (check and certify --output, repro -o), checked before
/// any work starts: a path it cannot write is one line at once, not an error after the run.
/// A regular file, a new file in a writable folder, a character device (/dev/null, a
/// terminal) and a pipe someone reads (/dev/stdout in a pipeline) are accepted; a folder, a
/// kernel's pseudo file (/proc/version), a disk, a socket and a FIFO nobody reads are not.
public struct OutputFile: Sendable {
    public let path: String
    /// The option that named it, for the messages ("--output", "-o").
    let option: String
    /// The file as opened by the check, when it existed; a new file is created only when the
    /// report is written, so that a run that stops early leaves nothing behind.
    private let descriptor: Int32?

    public init(checking path: String, option: String = "--output") throws {
        self.path = path
        self.option = option
        var info = stat()
        guard stat(path, &info) == 0 else {
            guard errno == ENOENT else {
                throw Self.refusal(option, path, "cannot be reached: \(InputFile.words(errno: errno))")
            }
            try Self.checkFolder(of: path, option: option)
            descriptor = nil
            return
        }
        try Self.checkKind(info, path: path, option: option)
        descriptor = try Self.openExisting(path, option: option)
    }

    /// Writes the whole report, in place of what the file held.
    public func write(_ text: String) throws {
        let descriptor = try self.descriptor ?? create()
        defer { close(descriptor) }
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG { _ = ftruncate(descriptor, 0) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.refusal(option, path, "writing failed: \(InputFile.words(errno: errno))")
            }
            written += count
        }
    }

    private func create() throws -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw Self.refusal(option, path, "cannot be created: \(InputFile.words(errno: errno))")
        }
        return descriptor
    }

    private static func checkFolder(of path: String, option: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let shown = folder.isEmpty ? "." : folder
        switch InputFile.kind(shown) {
        case .folder: break
        case .missing:
            throw refusal(option, path, "cannot be created: the folder \(shown) does not exist; create it first")
        default: throw refusal(option, path, "cannot be created: \(shown) is not a folder")
        }
        guard access(shown, W_OK | X_OK) == 0 else {
            throw refusal(option, path, "cannot be created in \(shown): \(InputFile.words(errno: errno))")
        }
    }

    private static func checkKind(_ info: stat, path: String, option: String) throws {
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            if let system = pseudoFileSystem(path) {
                throw refusal(
                    option, path, "is a file of the kernel's \(system), which holds no report; give a file path")
            }
        case S_IFCHR, S_IFIFO: break
        case S_IFDIR: throw refusal(option, path, "is a folder; give the path of a file to write the report to")
        case S_IFBLK: throw refusal(option, path, "is a disk device; give the path of a file")
        default: throw refusal(option, path, "is a socket; give the path of a file")
        }
    }

    /// Opens it for writing without truncating it yet and without blocking: a FIFO nobody
    /// reads fails at once (ENXIO) instead of hanging. Writes block again afterwards.
    private static func openExisting(_ path: String, option: String) throws -> Int32 {
        let descriptor = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason =
                errno == ENXIO ? "is a FIFO nobody reads; start its reader first" : InputFile.words(errno: errno)
            throw refusal(option, path, errno == ENXIO ? reason : "cannot be written: \(reason)")
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        return descriptor
    }

    /// The name of the pseudo file system `path` is on (/proc, /sys and their kin: their files
    /// refuse or ignore writes, and root may open them all the same), or nil.
    private static func pseudoFileSystem(_ path: String) -> String? {
        let names: [Int: String] = [
            0x9FA0: "/proc", 0x6265_6572: "/sys", 0x6462_6720: "debugfs", 0x7472_6163: "tracefs",
            0x7363_6673: "securityfs", 0x0027_E0EB: "cgroup", 0x6367_7270: "cgroup2", 0x6265_6570: "configfs",
            0xCAFE_4A11: "bpf", 0x6165_676C: "pstore", 0xDE5E_81E4: "efivarfs",
        ]
        return names[pmc_file_system_type(path)]
    }

    static func refusal(_ option: String, _ path: String, _ problem: String) -> PyMemCheckError {
        .usage("\(option) \(path) \(problem)")
    }
}

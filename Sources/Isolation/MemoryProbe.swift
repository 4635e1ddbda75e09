import Foundation
import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// Reading memory that may not be there.
public enum Memory {
    /// Whether the page holding `address` is mapped (msync answers ENOMEM when it is not).
    public static func isMapped(_ address: UnsafeMutableRawPointer) -> Bool {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = UnsafeMutableRawPointer(bitPattern: UInt(bitPattern: address) & ~UInt(page - 1))!
        return msync(start, page, MS_ASYNC) == 0
    }

    /// The pipe readability is probed through, made on first use.
    private static let pipeEnds = Locked<[Int32]>([])

    /// Whether every page of `count` bytes from `address` can be read. write(2) from memory that
    /// cannot be read fails with EFAULT where a load would crash the process: a block freed
    /// under the harness (a guard page, an unmapped chunk) is seen before it is touched.
    public static func isReadable(_ address: UnsafeRawPointer, count: Int) -> Bool {
        pipeEnds.withLock { pipeEnds in
            if pipeEnds.isEmpty {
                var ends: [Int32] = [0, 0]
                guard pipe(&ends) == 0 else { return true } // cannot tell: assume readable, as before
                pipeEnds = ends
            }
            let page = Int(sysconf(Int32(_SC_PAGESIZE)))
            let start = UInt(bitPattern: address)
            let end = start + UInt(max(count, 1))
            var byte: UInt8 = 0
            for pageStart in stride(from: start & ~UInt(page - 1), to: end, by: page) {
                let probeAt = UnsafeRawPointer(bitPattern: max(pageStart, start))!
                guard write(pipeEnds[1], probeAt, 1) == 1 else { return false }
                _ = read(pipeEnds[0], &byte, 1)
            }
            return true
        }
    }

    /// Runs `body` with the address space capped at what the process maps now plus `headroom`:
    /// a legal request far beyond it fails at once, where a calloc that zeroes by memset would
    /// otherwise touch every page of it (14 s for 4 GiB here), while a request that a bug made
    /// small still succeeds. The soft limit only; restored before returning.
    public static func withAddressSpace<T>(headroom: Int, _ body: () -> T) -> T {
        var saved = rlimit()
        guard getrlimit(Int32(RLIMIT_AS.rawValue), &saved) == 0, let mapped = mappedBytes() else { return body() }
        var capped = saved
        capped.rlim_cur = min(saved.rlim_max, rlim_t(mapped + headroom))
        guard setrlimit(Int32(RLIMIT_AS.rawValue), &capped) == 0 else { return body() }
        defer { setrlimit(Int32(RLIMIT_AS.rawValue), &saved) }
        return body()
    }

    /// The process's mapped size (VmSize), from /proc/self/statm.
    static func mappedBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = text.split(separator: " ").first.flatMap({ Int($0) })
        else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    public static func firstNonZero(_ block: UnsafeMutableRawPointer, count: Int) -> Int? {
        (0..<count).first { block.load(fromByteOffset: $0, as: UInt8.self) != 0 }
    }
}

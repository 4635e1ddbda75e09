import Foundation

/// A value behind a pthread mutex (NSLock). Used instead of Synchronization.Mutex wherever code
/// may run in a forked child: on Linux, Mutex checks the owner's thread id, which a child's
/// thread inherits stale from the parent ("unlock Mutex on a thread which hasn't acquired it").
public final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    public init(_ value: Value) { self.value = value }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

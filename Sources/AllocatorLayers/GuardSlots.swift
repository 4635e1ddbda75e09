import Glibc
import Vocabulary

/// The mappings behind GuardLayer's blocks: data pages followed by one page that is never
/// accessible. A freed slot's data pages are made inaccessible and wait in a quarantine of
/// bounded length; a slot leaving the quarantine goes back to a pool of its size, from which a
/// later block of the same number of pages takes it (one mprotect to open it again). Only what
/// overflows the pool is unmapped.
final class GuardSlots: @unchecked Sendable {
    struct Slot {
        /// The mapping's start; the data pages come first, the guard page last.
        var start: UnsafeMutableRawPointer
        var dataLength: Int
        /// Whether the data pages were used before (a fresh mapping reads as zero).
        var reused: Bool
    }

    /// How many freed slots stay inaccessible before being reused.
    static let quarantineLength = 256
    /// The pooled mappings kept at most, in bytes (beyond that a slot is unmapped).
    static let poolLimit = 64 << 20
    static let page = Int(sysconf(Int32(_SC_PAGESIZE)))

    private struct State {
        var quarantine: [Slot] = []
        /// Index of the oldest quarantined slot (the quarantine is a ring once full).
        var oldest = 0
        /// Free slots by their number of data pages.
        var pool: [Int: [Slot]] = [:]
        var pooledBytes = 0
    }

    private let state = Locked(State())

    /// A slot with at least `dataBytes` accessible bytes before its guard page.
    func take(dataBytes: Int) -> Slot? {
        let dataLength = (dataBytes + Self.page - 1) / Self.page * Self.page
        let pooled = state.withLock { state -> Slot? in
            guard let slot = state.pool[dataLength]?.popLast() else { return nil }
            state.pooledBytes -= dataLength + Self.page
            return slot
        }
        if let pooled {
            mprotect(pooled.start, dataLength, PROT_READ | PROT_WRITE)
            return pooled
        }
        return map(dataLength: dataLength)
    }

    /// Makes the slot's data pages inaccessible and quarantines it; the slot it pushes out of
    /// the quarantine goes back to the pool.
    func retire(_ slot: Slot) {
        mprotect(slot.start, slot.dataLength, PROT_NONE)
        var retired = slot
        retired.reused = true
        let evicted = state.withLock { state -> Slot? in
            guard state.quarantine.count == Self.quarantineLength else {
                state.quarantine.append(retired)
                return nil
            }
            let oldest = state.quarantine[state.oldest]
            state.quarantine[state.oldest] = retired
            state.oldest = (state.oldest + 1) % Self.quarantineLength
            guard state.pooledBytes + oldest.dataLength + Self.page <= Self.poolLimit else { return oldest }
            state.pool[oldest.dataLength, default: []].append(oldest)
            state.pooledBytes += oldest.dataLength + Self.page
            return nil
        }
        if let evicted { munmap(evicted.start, evicted.dataLength + Self.page) }
    }

    /// Zeroes a reused slot's bytes for a calloc: large runs are given back to the kernel,
    /// which maps zero pages in again on the next touch, rather than written.
    func zero(_ slot: Slot, from offset: Int, count: Int) {
        if count >= 16 * Self.page {
            madvise(slot.start, slot.dataLength, MADV_DONTNEED)
        } else {
            memset(slot.start + offset, 0, count)
        }
    }

    private func map(dataLength: Int) -> Slot? {
        let length = dataLength + Self.page
        guard let start = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            start != MAP_FAILED
        else { return nil }
        mprotect(start + dataLength, Self.page, PROT_NONE)
        return Slot(start: start, dataLength: dataLength, reused: false)
    }
}

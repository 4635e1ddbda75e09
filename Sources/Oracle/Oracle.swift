import Glibc
import OpLanguage
import Results
import Vocabulary

/// The model of the documented semantics. The program runner tells it what each call returned;
/// it keeps every live block (domain, size, expected bytes) and records a finding for each
/// broken invariant: non-NULL and distinct results (zero bytes included), no overlap, contents
/// kept to min(old, new), calloc zeroed, NULL for what must fail, a failed realloc leaving the
/// old block intact, and the debug layout where the debug hooks are on.
public final class Oracle {
    public let version: PythonVersion
    public let debugHooks: Bool
    /// The leading bytes of a fresh block the debug hooks leave as the allocator gave them, per
    /// domain (a free-threaded build's OBJ blocks: PythonTarget.bytesTheHooksLeaveUnfilled).
    public let unfilled: [AllocatorDomain: Int]
    public private(set) var slots: [BlockModel?] = Array(repeating: nil, count: Slot.count)
    public private(set) var findings: [Finding] = []
    /// The op being checked, for the findings (rendered only when there is one).
    var current: (index: Int, op: Op?) = (-1, nil)

    public init(version: PythonVersion, debugHooks: Bool, unfilled: [AllocatorDomain: Int] = [:]) {
        self.version = version
        self.debugHooks = debugHooks
        self.unfilled = unfilled
    }

    public func begin(op index: Int, _ op: Op?) { current = (index, op) }

    public func block(in slot: Slot) -> BlockModel? { slots[slot.index] }

    public func report(_ invariant: Invariant, _ evidence: String) {
        findings.append(Finding(at: current.index, current.op, invariant, evidence))
    }

    public func takeFindings() -> [Finding] {
        defer { findings.removeAll() }
        return findings
    }

    /// Forgets every block (between inputs).
    public func reset() {
        clearSlots()
        findings.removeAll()
    }

    public func clearSlots() { slots = Array(repeating: nil, count: Slot.count) }

    /// Records a block without any check (the harness measuring its own cost with the oracle
    /// off): the domain is kept from the block already in the slot when none is given.
    public func forceBlock(slot: Slot, address: UnsafeMutableRawPointer, size: Int, domain: AllocatorDomain? = nil) {
        guard let domain = domain ?? slots[slot.index]?.domain else { return }
        slots[slot.index] = BlockModel(
            address: UInt(bitPattern: address), domain: domain, size: size, expected: [], known: KnownRanges())
    }

    // MARK: what must fail

    /// Requests the documents say cannot be met: above PY_SSIZE_T_MAX, or a calloc whose
    /// nelem*elsize overflows or exceeds it.
    public static func mustFail(size: UInt) -> Bool { size > UInt(Int.max) }

    public static func mustFail(count: UInt, size: UInt) -> Bool {
        let (product, overflow) = count.multipliedReportingOverflow(by: size)
        return overflow || mustFail(size: product)
    }

    // MARK: observations

    /// A malloc or calloc (or realloc(NULL, n)) returned `result` for `slot`.
    public func allocated(
        _ result: UnsafeMutableRawPointer?, slot: Slot, domain: AllocatorDomain, size: UInt,
        zeroed: Bool, shouldFail: Bool, injectedFailure: Bool
    ) {
        if shouldFail {
            if let result {
                report(.mustFail, "returned \(hex(result)) for a request that cannot be met; NULL expected")
            }
            return
        }
        // After a failure injected below, NULL is the documented answer; a block (the allocator
        // met the request some other way, as pymalloc falls back to RAW) is judged as any other.
        guard let result else { return injectedFailure ? () : report(.nonNull, "returned NULL for \(size) bytes") }
        let bytes = Int(size)
        let fill: UInt8? = zeroed ? 0 : (debugHooks ? version.debugBytes.clean : nil)
        // The bytes the hooks leave unfilled are unknown until written, as without the hooks.
        let unknown = zeroed ? 0 : min(unfilled[domain] ?? 0, bytes)
        let model = BlockModel(
            address: UInt(bitPattern: result), domain: domain, size: bytes,
            expected: Array(repeating: fill ?? 0, count: bytes),
            known: fill == nil ? KnownRanges() : KnownRanges(unknown..<bytes))
        checkDistinct(model, replacing: nil)
        checkContents(model, invariant: zeroed ? .callocZeroed : .cleanByte)
        checkLayout(model)
        slots[slot.index] = model
    }

    /// A realloc of the block in `slot` to `size` returned `result`. `oldBlockLive` is false when
    /// the harness saw the old block freed by the call, or its memory unreadable: it is then not
    /// read at all.
    public func reallocated(
        _ result: UnsafeMutableRawPointer?, slot: Slot, size: UInt, shouldFail: Bool, injectedFailure: Bool,
        oldBlockLive: Bool = true
    ) {
        guard var model = slots[slot.index] else { return }
        if result == nil && !oldBlockLive {
            if !shouldFail && !injectedFailure { report(.nonNull, "realloc to \(size) bytes returned NULL") }
            report(
                .failureKeepsBlock,
                "realloc to \(size) returned NULL and the old block is "
                    + "gone (freed, or no longer readable): \(model.domain.name) block "
                    + "\(hex(model.pointer)) of \(model.size) bytes")
            slots[slot.index] = nil
            return
        }
        if shouldFail, let result {
            report(.mustFail, "realloc to \(size) returned \(hex(result)); NULL expected")
            slots[slot.index] = nil // the old block may be gone: nothing more is known of it
            return
        }
        guard let result else {
            guard shouldFail || injectedFailure else {
                return report(.nonNull, "realloc to \(size) bytes returned NULL")
            }
            checkContents(model, invariant: .failureKeepsBlock)
            checkLayout(model)
            return
        }
        let old = model.size
        model.address = UInt(bitPattern: result)
        model.resize(to: Int(size), fill: debugHooks ? version.debugBytes.clean : nil)
        slots[slot.index] = nil
        checkDistinct(model, replacing: slot)
        checkContents(model, invariant: .contentsKept, note: "after realloc \(old) → \(size)")
        checkLayout(model)
        slots[slot.index] = model
    }

    public func freed(slot: Slot) { slots[slot.index] = nil }

    public func wrote(_ bytes: [UInt8], slot: Slot, at offset: Int) {
        slots[slot.index]?.write(bytes, at: offset)
    }

    /// Reads the block in `slot` back.
    public func check(slot: Slot) {
        guard let model = slots[slot.index] else { return }
        checkContents(model, invariant: .contentsKept)
        checkLayout(model)
    }

    /// Reads every live block back (at the end of a program, or after a thread ran).
    public func checkAll() {
        for model in slots.compactMap({ $0 }) {
            checkContents(model, invariant: .contentsKept)
            checkLayout(model)
        }
    }

    // MARK: checks

    func checkDistinct(_ model: BlockModel, replacing: Slot?) {
        for (index, other) in slots.enumerated() {
            guard let other, index != replacing?.index else { continue }
            if other.address == model.address {
                report(.distinct, "\(hex(model.pointer)) is also the live block in s\(index)")
            } else if other.span.overlaps(model.span) {
                report(
                    .noOverlap,
                    "\(hex(model.pointer))+\(model.size) overlaps the live block "
                        + "s\(index) at \(hex(other.pointer))+\(other.size)")
            }
        }
    }

    /// Known ranges longer than this are compared in part: their first and last 64 KiB whole,
    /// and 64 bytes of every 4 KiB between (a megabyte block read in full after every op would
    /// cost more than everything else the harness does).
    static let fullCompareLimit = 256 << 10

    static func sampled(_ range: Range<Int>) -> [Range<Int>] {
        guard range.count > fullCompareLimit else { return [range] }
        let edge = 64 << 10
        let head = range.lowerBound..<(range.lowerBound + edge)
        let tail = (range.upperBound - edge)..<range.upperBound
        let middle = stride(from: head.upperBound, to: tail.lowerBound, by: 4096).map {
            $0..<min($0 + 64, tail.lowerBound)
        }
        return [head] + middle + [tail]
    }

    func checkContents(_ model: BlockModel, invariant: Invariant, note: String = "") {
        for range in model.known.ranges.flatMap(Self.sampled) {
            let differs = model.expected.withUnsafeBytes { expected in
                memcmp(model.pointer + range.lowerBound, expected.baseAddress! + range.lowerBound, range.count) != 0
            }
            guard differs else { continue }
            let offset = range.first { model.pointer.load(fromByteOffset: $0, as: UInt8.self) != model.expected[$0] }!
            let seen = model.pointer.load(fromByteOffset: offset, as: UInt8.self)
            return report(
                invariant,
                "\(model.domain.name) block \(hex(model.pointer)) of "
                    + "\(model.size) bytes\(note.isEmpty ? "" : " " + note): byte \(offset) is "
                    + "0x\(hex(seen)), expected 0x\(hex(model.expected[offset]))")
        }
    }

    /// Under the debug hooks every block carries the header (size, API id) and the pads.
    func checkLayout(_ model: BlockModel) {
        guard debugHooks else { return }
        let domain = model.domain
        let layout = BlockLayout(block: model.pointer, requested: model.size, domain: domain)
        let forbidden = version.debugBytes.forbidden
        if layout.headerSize != model.size || layout.apiID != String(domain.apiID) {
            report(
                .debugLayout,
                "\(model.domain.name) block \(hex(model.pointer)): header says "
                    + "\(layout.headerSize) bytes, API '\(layout.apiID)'; expected \(model.size), "
                    + "'\(domain.apiID)' (are the debug hooks on?)")
        } else if !(layout.leadingPad + layout.trailingPad).allSatisfy({ $0 == forbidden }) {
            report(
                .debugLayout,
                "\(model.domain.name) block \(hex(model.pointer)): pads "
                    + "\(layout.leadingPad) \(layout.trailingPad) are not all FORBIDDENBYTE")
        }
    }

    func hex(_ pointer: UnsafeMutableRawPointer) -> String { "0x" + String(UInt(bitPattern: pointer), radix: 16) }
    func hex(_ byte: UInt8) -> String { String(byte, radix: 16, uppercase: false) }
}

import Foundation
import Glibc
import Isolation
import OpLanguage
import Oracle
import PyRuntime
import Results
import Vocabulary

/// Runs the legal ops of a program on a fuzz session and has the oracle check every result.
/// Violations are skipped here: they run only in ViolationRunner's forked children.
public final class ProgramRunner {
    public let session: FuzzSession
    public let oracle: Oracle
    /// Whether results are checked; off only to measure the harness's own cost.
    public var checking = true
    private var pendingFaults: [AllocatorDomain: AllocatorFunction] = [:]
    /// What the current input's fail-next ops came to: where each injected failure fired, and
    /// how many met no failing allocator (served without one, or not fault-injectable).
    public private(set) var faultTally: [String: Int] = [:]
    /// Where the allocator calls are made (the `on` op), and where the program is now.
    private let places: Places
    private var place = Place.main
    /// The interpreter each live MEM or OBJ block was made in (`.main` or `.interpreter`).
    private var owners: [Slot: Place] = [:]
    /// Off in a violation run (a forked child, every op on the main thread).
    private var placesOn = true
    /// In the forked child an input with `on interpreter` runs in (which must not fork again).
    private var isolated = false

    public init(session: FuzzSession) {
        self.session = session
        let target = session.options.target
        let unfilled = Dictionary(
            uniqueKeysWithValues: AllocatorDomain.allCases.map {
                ($0, target.bytesTheHooksLeaveUnfilled(in: $0))
            })
        oracle = Oracle(version: session.version, debugHooks: session.debugHooks, unfilled: unfilled)
        places = Places(runtime: session.runtime)
    }

    /// Runs `ops` (violations skipped), frees what is left, and returns the findings. Without
    /// `places`, every op runs on the main thread (fuzz-violations: see runPrefix).
    public func run(_ ops: [Op], places placesOn: Bool = true) -> [Finding] {
        self.placesOn = placesOn
        let wanted = placesOn ? Places.named(in: ops) : []
        if wanted.contains(.interpreter) && !isolated && places.hasOwnInterpreter { return runForked(ops) }
        // Made as the runtime is started under a plugin: with the guard pages off, since what is
        // judged is the input's calls, not CPython's own start-up of a thread or interpreter.
        if places.lacks(wanted) { session.withoutGuards { places.prepare(wanted) } }
        // Said, not hidden: ops that were to run in an interpreter of their own ran on main.
        placesNote =
            wanted.contains(.interpreter) && places.hasOwnInterpreter
            ? places.ownProblem.map { "on interpreter ran on the main thread: \($0)" } : nil
        if isolated { WorkerChannel.send(ForkedMessage.placesMade) }
        session.resetCounts()
        faultTally.removeAll()
        _ = session.takeHostileCounts()
        runLegal(ops)
        finish()
        hostileCounts = session.takeHostileCounts()
        return oracle.takeFindings()
    }

    /// What a forked child that runs an input tells the parent: that its places are made (the
    /// input's ops run next), then what the ops came to.
    enum ForkedMessage: Codable {
        case placesMade
        case answer(findings: [Finding], faultTally: [String: Int], moved: Int, poisoned: Int, places: String?)
    }

    /// An input with `on interpreter`, in a forked child that makes the own-GIL interpreter
    /// afresh: making one switches the debug hooks' GIL check off for the whole process
    /// (python/cpython#128360), and no later input may depend on one having been made. A child
    /// that crashes or hangs is the input's finding.
    private func runForked(_ ops: [Op]) -> [Finding] {
        let outcome: ChildOutcome
        do {
            outcome = try ForkedChild.run(timeout: 60) {
                isolated = true
                let findings = run(ops)
                WorkerChannel.send(
                    ForkedMessage.answer(
                        findings: findings, faultTally: faultTally, moved: hostileCounts.moved,
                        poisoned: hostileCounts.poisoned, places: placesNote))
            }
        } catch {
            return [Finding(at: -1, nil, .noCrash, "the input could not run in a forked child: \(error)")]
        }
        let messages = WorkerChannel.messages(ForkedMessage.self, in: outcome.stdout)
        for case .answer(let findings, let tally, let moved, let poisoned, let note) in messages {
            faultTally = tally
            hostileCounts = (moved, poisoned)
            placesNote = note
            return findings
        }
        let tail = WorkerFailure.colonTail(outcome, lines: 2)
        guard messages.contains(where: { if case .placesMade = $0 { true } else { false } }) else {
            let first = ops.firstIndex(of: .on(.interpreter)) ?? -1
            var crash = Finding(
                at: first, ops.indices.contains(first) ? ops[first] : nil, .noCrash,
                "the forked child \(outcome.summary) while making the interpreter with its own GIL "
                    + "(Py_NewInterpreterFromConfig) and its thread" + tail)
            crash.signal = outcome.signal
            return [crash]
        }
        // The op it crashed in, as pymemcheck's crash line names it ("at op 10 of the input").
        let index = outcome.stderr.firstMatch(of: /at op (\d+) of the input/).flatMap { Int($0.1) }
            .map { $0 - 1 }.flatMap { ops.indices.contains($0) ? $0 : nil }
        var crash = Finding(
            at: index ?? -1, index.map { ops[$0] }, .noCrash,
            "the forked child running the input \(outcome.summary)" + tail)
        crash.signal = outcome.signal
        return [crash]
    }

    /// Why the last input's `on interpreter` ops ran on the main thread, if they did on a
    /// target that has interpreters with their own GIL.
    private var placesNote: String?

    /// The last input's hostile work below CPython: reallocs moved, freed blocks poisoned.
    public private(set) var hostileCounts = (moved: 0, poisoned: 0)

    /// What the last input's fail-next ops and hostile layers did, for a verdict's note.
    public var note: String? {
        let hostile =
            hostileCounts.moved + hostileCounts.poisoned > 0
            ? "hostile below CPython: \(hostileCounts.moved) realloc(s) moved, "
                + "\(hostileCounts.poisoned) freed block(s) poisoned" : nil
        let parts = [faultNote, hostile, placesNote].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// Runs the legal `ops` without the clean-up, leaving their blocks live (a violation
    /// follows), and returns what the oracle found on them.
    func runPrefix(_ ops: [Op]) -> [Finding] {
        placesOn = false
        session.resetCounts()
        faultTally.removeAll()
        runLegal(ops)
        return oracle.findings
    }

    /// The first finding ends the input: after a broken invariant the blocks' state is no
    /// longer known, and touching them (reading, freeing) could crash the process before the
    /// finding is reported, hiding the evidence behind a crash.
    private func runLegal(_ ops: [Op]) {
        defer { CrashSignals.op(0) }
        place = .main
        for (index, op) in ops.enumerated() where !op.isViolation {
            if checking { oracle.begin(op: index, op) }
            CrashSignals.op(index + 1)
            perform(op)
            if checking && !oracle.findings.isEmpty { return }
        }
    }

    private func perform(_ op: Op) {
        switch op {
        case .malloc(let domain, let size, let slot): malloc(domain, size, slot)
        case .calloc(let domain, let count, let size, let slot): calloc(domain, count, size, slot)
        case .realloc(let domain, let slot, let size): realloc(domain, slot, size)
        case .free(let domain, let slot): free(domain, slot)
        case .write(let slot, let offset, let length, let seed): write(slot, offset, length, seed)
        case .check(let slot): if checking { oracle.check(slot: slot) }
        case .failNext(let domain, let function): pendingFaults[domain] = function
        case .rawThread(let rounds): rawThread(rounds: Int(rounds))
        case .on(let next): place = placesOn ? next : .main
        case .crossFree, .padWrite, .apiIDWrite, .withoutGIL: break
        }
    }

    // MARK: ops

    private func malloc(_ domain: AllocatorDomain, _ size: Size, _ slot: Slot) {
        let mustFail = Oracle.mustFail(size: size.bytes)
        guard mustFail || size.bytes <= Size.cap else { return } // beyond the cap: not run
        release(slot)
        let result = call(domain) {
            withFault(domain, .malloc) { session.functions[domain]!.malloc(Int(bitPattern: size.bytes)) }
        }
        record(
            result.pointer, slot: slot, domain: domain, size: size.bytes, zeroed: false, mustFail: mustFail,
            injected: result.injected)
    }

    private func calloc(_ domain: AllocatorDomain, _ count: Size, _ size: Size, _ slot: Slot) {
        let mustFail = Oracle.mustFail(count: count.bytes, size: size.bytes)
        let total = count.bytes &* size.bytes
        if !mustFail && total > Size.cap {
            // Beyond the cap only the 4 GiB-and-up probe runs: that is where a size computed in
            // 32 bits wraps, and CPython's allocators map the memory lazily, so the probe stays
            // cheap. Not under the debug hooks: their free fills the whole block with DEADBYTE
            // (seconds per GiB). Not under a plugin either: a correct calloc may be malloc and
            // memset, which touches every page (an input of a few such calls took minutes and
            // 12 GB); certify's direct calls probe the plugin's calloc at 4 GiB once instead.
            if total >= Self.hugeProbeFloor && !session.debugHooks && session.options.plugin == nil {
                hugeCalloc(domain, count.bytes, size.bytes)
            }
            return
        }
        release(slot)
        let result = call(domain) {
            withFault(domain, .calloc) {
                session.functions[domain]!.calloc(Int(bitPattern: count.bytes), Int(bitPattern: size.bytes))
            }
        }
        record(
            result.pointer, slot: slot, domain: domain, size: total, zeroed: true, mustFail: mustFail,
            injected: result.injected)
    }

    private func realloc(_ domain: AllocatorDomain, _ slot: Slot, _ size: Size) {
        let mustFail = Oracle.mustFail(size: size.bytes)
        guard mustFail || size.bytes <= Size.cap else { return }
        guard let block = oracle.block(in: slot) else {
            // realloc(NULL, n) is malloc(n) in the op's domain.
            let result = call(domain) {
                withFault(domain, .realloc) { session.functions[domain]!.realloc(nil, Int(bitPattern: size.bytes)) }
            }
            return record(
                result.pointer, slot: slot, domain: domain, size: size.bytes, zeroed: false, mustFail: mustFail,
                injected: result.injected)
        }
        let result = call(block.domain, on: slot) {
            withFault(block.domain, .realloc) {
                session.functions[block.domain]!.realloc(block.pointer, Int(bitPattern: size.bytes))
            }
        }
        if checking {
            // Asked before the oracle reads the old block: one the call freed may be unmapped.
            let oldLive =
                result.pointer != nil || (session.live[block.domain]!.contains(block.pointer) && readable(block))
            oracle.reallocated(
                result.pointer, slot: slot, size: size.bytes, shouldFail: mustFail,
                injectedFailure: result.injected, oldBlockLive: oldLive)
        } else if let pointer = result.pointer {
            oracle.forceBlock(slot: slot, address: pointer, size: Int(size.bytes))
        }
    }

    private func free(_ domain: AllocatorDomain, _ slot: Slot) {
        guard oracle.block(in: slot) != nil else { return call(domain) { session.functions[domain]!.free(nil) } }
        release(slot)
    }

    private func write(_ slot: Slot, _ offset: UInt8, _ length: UInt8, _ seed: UInt8) {
        guard let block = oracle.block(in: slot), block.size > 0 else { return }
        let start = Int(offset) % block.size
        let count = min(Int(length), block.size - start)
        let bytes = (0..<count).map { FillPattern.byte($0, seed: seed) }
        bytes.withUnsafeBytes { (block.pointer + start).copyMemory(from: $0.baseAddress!, byteCount: count) }
        if checking { oracle.wrote(bytes, slot: slot, at: start) }
    }

    // MARK: helpers

    private func record(
        _ pointer: UnsafeMutableRawPointer?, slot: Slot, domain: AllocatorDomain, size: UInt, zeroed: Bool,
        mustFail: Bool,
        injected: Bool
    ) {
        if checking {
            oracle.allocated(
                pointer, slot: slot, domain: domain, size: size, zeroed: zeroed, shouldFail: mustFail,
                injectedFailure: injected)
        } else if let pointer, !mustFail, !injected {
            oracle.forceBlock(slot: slot, address: pointer, size: Int(size), domain: domain)
        }
        // A result the oracle does not keep (it should have been NULL) is given back at once.
        if let pointer, oracle.block(in: slot)?.address != UInt(bitPattern: pointer) {
            call(domain) { session.functions[domain]!.free(pointer) }
        } else if pointer != nil, domain != .raw {
            owners[slot] = places.interpreter(of: place)
        }
    }

    /// Frees the block in `slot`, if any (before the slot takes a new one, or for a free op).
    private func release(_ slot: Slot) {
        guard let block = oracle.block(in: slot) else { return }
        call(block.domain, on: slot) { session.functions[block.domain]!.free(block.pointer) }
        oracle.freed(slot: slot)
        owners[slot] = nil
    }

    /// Makes `body`, an allocator call in `domain`, where the program is; for the block in
    /// `slot`, in the interpreter that made it (on the main thread for the main interpreter's
    /// blocks when the program is in the other one), as an op's domain is ignored for a live
    /// block: legal ops never break a documented rule.
    private func call<T>(_ domain: AllocatorDomain, on slot: Slot? = nil, _ body: () -> T) -> T {
        var site = place
        if domain != .raw, let owner = slot.flatMap({ owners[$0] }), owner != places.interpreter(of: place) {
            site = owner
        }
        return places.run(on: site, domain, body)
    }

    /// Runs `call` with the pending fault of `domain` armed when it is for `function`: the
    /// first allocation below the call, at one of the domain's fault points, fails. `injected`
    /// says whether one did; the API may still have met the request some other way.
    private func withFault(
        _ domain: AllocatorDomain, _ function: AllocatorFunction,
        _ call: () -> UnsafeMutableRawPointer?
    ) -> (pointer: UnsafeMutableRawPointer?, injected: Bool) {
        guard pendingFaults[domain] == function, let points = session.faultPoints[domain] else {
            return (call(), false)
        }
        pendingFaults[domain] = nil
        guard !points.points.isEmpty else {
            faultTally["\(domain.name): not injectable in this mode", default: 0] += 1
            return (call(), false)
        }
        session.faults.arm(points.points)
        let pointer = call()
        let fired = session.faults.disarm()
        faultTally[
            fired.map { points.describe($0) } ?? "not reached (served without the allocator below)", default: 0] += 1
        return (pointer, fired != nil)
    }

    /// The fault tally as one line, for a verdict's note; nil when the input armed no fault.
    public var faultNote: String? {
        guard !faultTally.isEmpty else { return nil }
        return "fail-next: "
            + faultTally.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }

    /// Whether the block, and under the debug hooks its header and pads, can still be read.
    private func readable(_ block: BlockModel) -> Bool {
        let (header, word) = (BlockLayout.headerLength, BlockLayout.wordSize)
        let (start, count) =
            session.debugHooks ? (block.pointer - header, block.size + header + word) : (block.pointer, block.size)
        return Memory.isReadable(start, count: count)
    }

    static let hugeProbeFloor: UInt = 1 << 32

    /// A calloc too big to keep (4 GiB up to PY_SSIZE_T_MAX): it may fail, but a
    /// block it returns must span nelem*elsize bytes and start zeroed.
    private func hugeCalloc(_ domain: AllocatorDomain, _ count: UInt, _ size: UInt) {
        let functions = session.functions[domain]!
        guard let block = call(domain, { functions.calloc(Int(bitPattern: count), Int(bitPattern: size)) }) else {
            return
        }
        let total = count &* size
        if checking {
            if !Memory.isMapped(block + Int(total - 1)) {
                oracle.report(
                    .blockSize,
                    "calloc(\(count), \(size)) returned \(block), but its "
                        + "byte \(total - 1) is not mapped: the block is smaller than \(total) bytes")
            } else if let offset = Memory.firstNonZero(block, count: min(Int(total), 4096)) {
                oracle.report(.callocZeroed, "calloc(\(count), \(size)): byte \(offset) is not zero")
            }
        }
        call(domain) { functions.free(block) }
    }

    /// RAW from two threads at once, neither holding the GIL: blocks stay private and intact.
    /// The other thread is a persistent one (starting a thread per op would cost more than the
    /// op); rounds are capped at RawChurn.maxRounds. Under a plugin, unguarded (see withoutGuards).
    private func rawThread(rounds: Int) {
        let raw = session.functions[.raw]!
        let rounds = min(rounds, RawChurn.maxRounds)
        let problems = session.withoutGuards {
            session.runtime.withoutGIL { () -> [String] in
                let helper = RawHelperThread.shared
                let theirs = Locked<String?>(nil)
                helper.start { theirs.withLock { $0 = RawChurn.run(raw, rounds: rounds, seed: 101) } }
                let mine = RawChurn.run(raw, rounds: rounds, seed: 7)
                helper.wait()
                return [mine, theirs.withLock { $0 }].compactMap { $0 }
            }
        }
        if checking { for problem in problems { oracle.report(.threadSafe, problem) } }
    }

    /// After the last op: every live block read back and freed; none left by the counting
    /// layers; nothing written to freed memory (hostile mode).
    private func finish() {
        pendingFaults.removeAll()
        // After a finding the blocks are left alone (see runLegal): a leak, not a crash.
        guard oracle.findings.isEmpty else { return abandon() }
        oracle.begin(op: -1, nil)
        if checking { oracle.checkAll() }
        guard oracle.findings.isEmpty else { return abandon() }
        for index in 0..<Slot.count { release(Slot(index)) }
        // The quarantine first: the blocks it holds are still live below.
        for damage in session.drainDamage() where checking { oracle.report(.freedMemoryIntact, damage) }
        if checking && session.liveCount != 0 {
            oracle.report(
                .noLeak,
                "\(session.liveCount) block(s) handed out during the input "
                    + "are still live after it freed all its blocks")
        }
        oracle.clearSlots()
        owners.removeAll()
    }

    /// Forgets the input's blocks without touching them; the quarantine is still emptied (the
    /// blocks it holds were freed properly and are live below).
    private func abandon() {
        _ = session.drainDamage()
        oracle.clearSlots()
        owners.removeAll()
    }
}

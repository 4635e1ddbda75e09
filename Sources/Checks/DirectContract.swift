import ClauseCatalogue
import Oracle
import PyRuntime
import Results

/// The clauses that hold for an allocator's own functions as much as for CPython's API: what
/// an allocator installed with PyMem_SetAllocator must do when CPython calls it. certify asks
/// them of a plugin's functions directly, because the debug hooks in front of a plugin turn
/// zero-size and NULL requests into others before the plugin sees them; the checks are the
/// clause checks themselves, so the clause and the plugin's contract cannot drift apart.
public enum DirectContract {
    /// A clause of the contract (its id without the domain) and the invariants it states: what
    /// a failure of it was detected by.
    public struct Entry: Sendable {
        public let suffix: String
        public let invariants: [Invariant]
        let check: Check
    }

    /// What a clause found wrong with the functions.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public let clause: String
        public let invariants: [Invariant]
        public let evidence: String

        public var description: String { "\(clause): \(evidence)" }
    }

    /// Not here: the clauses on sizes above PY_SSIZE_T_MAX and on calloc pairs whose product
    /// overflows, which the API refuses before any allocator is asked (Objects/obmalloc.c,
    /// PyMem_RawCalloc and its kin; CPython's own allocators assert that it did, so a plugin
    /// that passes such a pair on to `previous` would abort a debug build for a request CPython
    /// never makes), and those that need CPython around the functions (fault injection).
    /// blocks.no-overlap first: it probes each block's last byte before anything writes one,
    /// so a block shorter than asked is a finding, not a crash of a later clause.
    public static let entries: [Entry] = [
        Entry(
            suffix: "blocks.no-overlap", invariants: [.noOverlap, .blockSize],
            check: AllocationChecks.blocksDoNotOverlap),
        Entry(
            suffix: "malloc.zero-size-distinct", invariants: [.nonNull, .distinct],
            check: AllocationChecks.zeroSizeMalloc),
        Entry(
            suffix: "calloc.zero-size-distinct", invariants: [.nonNull, .distinct],
            check: AllocationChecks.zeroSizeCalloc),
        Entry(suffix: "calloc.zeroes", invariants: [.callocZeroed], check: AllocationChecks.callocZeroes),
        Entry(suffix: "realloc.null-is-malloc", invariants: [.nonNull], check: AllocationChecks.reallocNullIsMalloc),
        Entry(suffix: "realloc.zero-resizes", invariants: [.nonNull], check: AllocationChecks.reallocToZeroResizes),
        Entry(
            suffix: "realloc.keeps-contents", invariants: [.contentsKept], check: AllocationChecks.reallocKeepsContents
        ),
        Entry(
            suffix: "realloc.failure-keeps-block", invariants: [.mustFail, .failureKeepsBlock],
            check: AllocationChecks.reallocFailureKeepsBlock),
        Entry(suffix: "free.null-no-op", invariants: [.freedMemoryIntact], check: AllocationChecks.freeNullIsNoOp),
    ]

    /// Every clause of the contract on `functions`, on the calling thread, each as the clause
    /// of `functions`' domain in `catalogue` states it. A clause the catalogue lacks is a
    /// problem: the contract would otherwise shrink without a word. When blocks.no-overlap
    /// fails, the rest is not run: every later clause writes whole blocks, and a block shorter
    /// than asked or inside another would crash them, hiding the finding behind a signal.
    public static func run(_ functions: DomainFunctions, runtime: PythonRuntime, catalogue: Catalogue) -> [Problem] {
        var problems: [Problem] = []
        for entry in entries {
            let found = Self.problems(of: entry, functions, runtime: runtime, catalogue: catalogue)
            problems += found
            if entry.suffix == entries[0].suffix && !found.isEmpty { break }
        }
        return problems
    }

    private static func problems(
        of entry: Entry, _ functions: DomainFunctions, runtime: PythonRuntime, catalogue: Catalogue
    ) -> [Problem] {
        let id = "\(functions.domain).\(entry.suffix)"
        guard let clause = catalogue.clause(id) else {
            return [Problem(clause: id, invariants: [], evidence: "the catalogue has no clause \(id)")]
        }
        var context = CheckContext(runtime: runtime, clause: clause)
        context.direct = { _ in functions }
        let verdict = entry.check(context)
        guard verdict.status != .pass else { return [] }
        let evidence = verdict.status == .fail ? verdict.evidence : ["not checked: " + verdict.evidence.joined()]
        return evidence.map { Problem(clause: id, invariants: entry.invariants, evidence: $0) }
    }
}

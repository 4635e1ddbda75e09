import AllocatorLayers
import Glibc
import Isolation
import Oracle
import Results

/// What counts as finding a mutant: the invariants its defect breaks, or the crash it must
/// cause. Judged on oracle findings, so kept with the harness rather than with the layer.
extension MutantKind {
    /// The invariants (oracle findings, or the violation runs' report checks) the defect breaks:
    /// only a finding that names one of them is a detection of this mutant. Anything else it
    /// makes go wrong (a leak, a crash later on) is a consequence, not evidence of the defect.
    public var breaks: Set<Invariant> {
        switch self {
        case .zeroSizeNull, .reallocNullFails: return [.nonNull]
        case .zeroSizeSamePointer: return [.distinct, .noOverlap]
        case .reallocFailureFreesBlock: return [.failureKeepsBlock]
        case .reallocLosesPast64: return [.contentsKept]
        case .callocNoZeroLarge: return [.callocZeroed]
        // A wrapped product is a block too small for the request, or one given for a request
        // that cannot be met.
        case .callocOverflowWraps: return [.mustFail, .blockSize]
        // No debug hooks: no header, no CLEANBYTE fill, and no report for a violation.
        case .dropsDebugHooks: return [.debugLayout, .cleanByte, .violationDetected]
        // realloc(p, 0) must give a block; the old one is gone.
        case .reallocZeroFrees: return [.nonNull, .failureKeepsBlock]
        // The debug header records n-1 bytes; a pad write is reported at the wrong offset.
        // The block is a byte short (called directly, its last byte cannot be read).
        case .mallocShortByOne: return [.blockSize, .debugLayout, .violationReport]
        case .freeNullCrashes: return []
        }
    }

    /// The signal a defect that necessarily crashes ends the process with; nil for the others,
    /// for which a crash is never a detection.
    public var crashSignal: Int32? {
        self == .freeNullCrashes ? SIGSEGV : nil
    }

    /// What in `findings` (or the process's end by `signal`) is a detection of this mutant:
    /// "invariant NAME" or "crash SIGNAME", or nil when nothing there is tied to the defect.
    public func detection(in findings: [Finding], signal: Int32? = nil) -> String? {
        if let finding = findings.first(where: { breaks.contains($0.invariant) }) {
            return "invariant \(finding.invariant.rawValue)"
        }
        let signals = [signal] + findings.filter { $0.invariant == .noCrash }.map(\.signal)
        if let expected = crashSignal, signals.contains(expected) {
            return "crash \(ChildOutcome.signalName(expected))"
        }
        return nil
    }
}

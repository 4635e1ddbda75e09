import AllocatorLayers
import PyRuntime
import Vocabulary

/// Failures made on purpose below the API: under the debug hooks (the hooks' own handling of a
/// failing allocator), and in the RAW domain below pymalloc (pymalloc's fallback for large
/// blocks). A failed realloc must return NULL and leave the old block valid, intact, freeable.
public enum FaultInjectionChecks {
    public static func reallocFailureInjected(_ context: CheckContext) -> CheckVerdict {
        var evidence = Evidence()
        let library = context.library
        for domain in context.domains {
            if context.debugHooks, let under = RecordingLayer.installUnderDebugHooks(of: domain, in: library) {
                defer { under.uninstall() }
                for (old, new) in [(100, 5000), (5000, 100)] {
                    failedRealloc(
                        context, domain, old: old, new: new, evidence: &evidence, label: "under the debug hooks",
                        layer: under)
                }
            }
            let pymalloc = context.target.underlyingAllocator(in: context.mode) == .pymalloc
            if domain != .raw && pymalloc && !context.debugHooks {
                let raw = RecordingLayer.installOnTop(of: .raw, in: library)
                defer { raw.uninstall() }
                for (old, new) in [(1000, 5000), (100, 1000)] {
                    failedRealloc(
                        context, domain, old: old, new: new, evidence: &evidence,
                        label: "with PyMem_RawRealloc/RawMalloc failing", layer: raw)
                }
            }
        }
        return evidence.verdict
    }

    /// Allocates `old` bytes, makes `layer` fail the next malloc and realloc, reallocs to `new`,
    /// and checks the aftermath.
    private static func failedRealloc(
        _ context: CheckContext, _ domain: AllocatorDomain, old: Int, new: Int,
        evidence: inout Evidence, label: String, layer: RecordingLayer
    ) {
        let functions = context.library.functions(domain)
        let name = "\(domain.functionPrefix)Realloc \(old)→\(new) \(label)"
        guard let block = functions.malloc(old) else { return evidence.add("\(name): malloc returned NULL") }
        Bytes.fill(block, count: old, seed: 5)
        layer.reset()
        layer.fail(.realloc)
        layer.fail(.malloc)
        let result = functions.realloc(block, new)
        layer.disarm()
        // An allocator that never called the failing one below (a custom replacement) met the
        // request by itself: nothing was made to fail, so there is nothing to judge.
        let failed = layer.calls.contains { ($0.function == .malloc || $0.function == .realloc) && $0.result == 0 }
        if result != nil && !failed {
            functions.free(result) // the old block went with the realloc
            return
        }
        if result != nil {
            evidence.add("\(name): returned \(Bytes.hex(result)) though the allocator below failed")
            functions.free(result)
            return
        }
        let offset = Bytes.firstMismatch(block, count: old, seed: 5)
        evidence.expect(offset == nil, "\(name): returned NULL but the old block changed at byte \(offset ?? 0)")
        if context.debugHooks {
            let layout = BlockLayout(block: block, requested: old, domain: domain)
            let bytes = context.version.debugBytes
            evidence.expect(
                layout.headerSize == old && layout.apiID == String(domain.apiID)
                    && layout.trailingPad.allSatisfy { $0 == bytes.forbidden },
                "\(name): the old block's debug header or pads were not restored "
                    + "(size \(layout.headerSize), API '\(layout.apiID)')")
        }
        functions.free(block) // the debug hooks would abort here if the block were no longer valid
    }
}

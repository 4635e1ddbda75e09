import AllocatorLayers
import CPythonABI
import Checks
import DebugHookChecks
import PyRuntime
import RuntimeChecks
import Vocabulary

/// The ways the section files plant a control, and the controls several clauses share.
extension ClauseRegistry {
    /// A control that plants `defect` (made per domain) on top of each domain of the clause.
    static func onTop(
        _ violation: String, registered: Bool = true,
        domains: [AllocatorDomain]? = nil,
        _ defect: @escaping @Sendable (CheckContext, AllocatorDomain) -> Defect
    ) -> Control {
        Control(violation: violation) { context in
            for domain in domains ?? context.domains {
                defect(context, domain).install(onTopOf: domain, in: context.library, registered: registered)
            }
        }
    }

    static func frame(_ context: CheckContext, _ domain: AllocatorDomain) -> HookFrame {
        HookFrame(library: context.library, domain: domain, version: context.version)
    }

    /// Blocks freed or resized through another domain go to their own domain's allocator.
    static let routesToOwner = Control(
        violation: "free and realloc give each block to the domain whose API id it carries"
    ) { context in
        let library = context.library
        var owners: [UInt8: PMCMemAllocatorEx] = [:]
        for domain in AllocatorDomain.allCases {
            owners[UInt8(ascii: domain.apiID.unicodeScalars.first!)] = library.allocator(domain)
        }
        for domain in AllocatorDomain.allCases {
            RoutesToOwner(frame(context, domain), owners: owners).install(onTopOf: domain, in: library)
        }
    }

    /// The mode's allocators replaced by a foreign one over anonymous mappings on every domain:
    /// hooks out of sight, no arena taken, nothing from malloc's heap, no name CPython knows.
    static let modeReplaced = onTop(
        "every domain's allocator is replaced by one over anonymous mappings", registered: false,
        domains: AllocatorDomain.allCases
    ) { _, _ in ServedByLibc(source: .mappings) }

    /// Plants `defect` over every allocator a check installs itself (PyMem_SetAllocator).
    static func overInstalled(_ violation: String, _ defect: @escaping @Sendable () -> Defect) -> Control {
        Control(violation: violation) { context in
            let library = context.library
            var planting = false
            library.installObserver = { domain in
                guard !planting else { return }
                planting = true
                defer { planting = false }
                defect().install(onTopOf: domain, in: library)
            }
        }
    }

    static let objectsFromLibc = onTop(
        "the object allocator is served from the C library, not pymalloc", domains: [.obj]
    ) { _, _ in
        ServedByLibc()
    }

    /// Track and Untrack made to take the GIL first, as 3.13's did.
    static let takesTheGIL = Control(violation: "PyTraceMalloc_Track and _Untrack take the GIL before anything else") {
        context in
        let library = context.library
        let (track, untrack) = (library.traceMallocTrack, library.traceMallocUntrack)
        context.seams.track = { domain, pointer, size in
            let state = library.gilStateEnsure()
            defer { library.gilStateRelease(state) }
            return track?(domain, pointer, size) ?? -1
        }
        context.seams.untrack = { domain, pointer in
            let state = library.gilStateEnsure()
            defer { library.gilStateRelease(state) }
            return untrack?(domain, pointer) ?? -1
        }
    }

    static let offThread = onTop("calls from any thread but the main one fail") { _, _ in FailsOffItsThread() }

    static let oneAtATime = overInstalled(
        "the domain's calls are made one at a time, under a lock held through each call"
    ) {
        SerialisedCalls()
    }

    static let touches = onTop(
        "fresh memory does not keep the bytes the hooks wrote (first byte of malloc, last of realloc cleared)"
    ) { _, _ in
        TouchesFreshBytes()
    }

    static let oneMore = onTop("every request reaches the hooks one byte larger than asked") { _, _ in OneByteMore() }

    static let repairs = onTop("the API id and pads are written back before free and realloc check them") {
        context, domain in
        RepairsBlocks(frame(context, domain))
    }
}

/// A value a planted closure changes (planted closures run in one forked child, one thread).
final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

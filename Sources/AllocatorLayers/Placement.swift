import CPythonABI
import PyRuntime
import Vocabulary

/// Where a layer sits in a domain's allocator chain, and what to put back to take it out.
enum Placement {
    /// Installed with PyMem_SetAllocator in place of `previous`.
    case domain(AllocatorDomain, PythonLibrary, previous: PMCMemAllocatorEx, registered: Bool)
    /// Written into the debug hooks' slot for the allocator they wrap.
    case underDebugHooks(UnsafeMutablePointer<PMCMemAllocatorEx>)
    /// Handed out as a struct (a plugin's `previous`, another layer's below): nothing to undo.
    case over
}

extension AllocatorLayer {
    /// Installs the layer on top of `domain` (PyMem_SetAllocator). `registered`: whether the
    /// debug hooks below it are still found through it (false: it hides them, as a foreign
    /// allocator an embedder installs would).
    @discardableResult
    public func install(onTopOf domain: AllocatorDomain, in library: PythonLibrary, registered: Bool = true) -> Self {
        let top = library.allocator(domain)
        place(over: top, at: .domain(domain, library, previous: top, registered: registered))
        if registered { OwnHooks.register(ctx: ctx, wrapping: below.allocator) }
        library.install(allocator, for: domain)
        return self
    }

    /// Installs the layer in place of the domain's allocator rather than hooking it: when the
    /// debug hooks are on top, the layer calls what they wrap, so that the hooks are no longer
    /// in the chain.
    @discardableResult
    public func install(replacing domain: AllocatorDomain, in library: PythonLibrary, registered: Bool = true) -> Self
    {
        let top = library.allocator(domain)
        let underlying = PythonLibrary.slotInside(debugHook: top, for: domain)?.pointee ?? top
        place(over: underlying, at: .domain(domain, library, previous: top, registered: registered))
        if registered { OwnHooks.register(ctx: ctx, wrapping: below.allocator) }
        library.install(allocator, for: domain)
        return self
    }

    /// Slips the layer between a domain's debug hooks and the allocator they wrap, by rewriting
    /// the allocator kept inside the hooks' ctx. False (and nothing done) when the hooks are not
    /// on top.
    public func installUnderDebugHooks(of domain: AllocatorDomain, in library: PythonLibrary) -> Bool {
        guard let slot = library.slotUnderDebugHook(domain) else { return false }
        place(over: slot.pointee, at: .underDebugHooks(slot))
        slot.pointee = allocator
        return true
    }

    /// Puts the layer over `allocator` and returns the struct that routes into it, for the
    /// caller to install (a plugin's `previous`, the allocator another layer wraps).
    public func install(over allocator: PMCMemAllocatorEx) -> PMCMemAllocatorEx {
        place(over: allocator, at: .over)
        return self.allocator
    }

    /// Takes the layer out again, putting back the allocator it wrapped.
    public func uninstall() {
        switch placement {
        case .domain(let domain, let library, let previous, let registered):
            library.install(previous, for: domain)
            if registered { OwnHooks.unregister(ctx: ctx) }
        case .underDebugHooks(let slot):
            slot.pointee = below.allocator
        case .over, nil:
            break
        }
        placement = nil
    }

    private func place(over allocator: PMCMemAllocatorEx, at placement: Placement) {
        below = Below(allocator)
        self.placement = placement
    }
}

import AllocatorLayers
import PyRuntime
import Vocabulary

/// "PyMem_SetupDebugHooks() must be called to reinstall the debug hooks on top of a new
/// allocator": a counting allocator replaces each domain's before initialisation (taking the
/// debug hooks out of the chain on a debug build), the
/// hooks are set up over it (mode `hooks`), and the result is inspected from inside.
package enum CustomAllocatorScenario {
    package struct Result: Codable {
        package var problems: [String]
        package var compared: Int
        /// The domains whose hook does not wrap the custom allocator, as a deviation names them.
        package var unwrapped: [String]
    }

    /// `control`: the custom allocators are put back on top of the hooks after start-up, as if
    /// PyMem_SetupDebugHooks() had not wrapped them (the clause's negative control).
    package static func run(target: PythonTarget, control: Bool) throws -> Result {
        var layers: [AllocatorDomain: RecordingLayer] = [:]
        let runtime = try PythonRuntime.start(target: target, mode: .hooks) { library in
            for domain in AllocatorDomain.allCases {
                layers[domain] = RecordingLayer.installReplacing(domain, in: library)
            }
        }
        if control {
            for (domain, layer) in layers { runtime.library.install(layer.allocator, for: domain) }
        }
        var evidence = Evidence()
        var unwrapped: [String] = []
        for domain in AllocatorDomain.allCases {
            let top = runtime.library.allocator(domain)
            let layer = layers[domain]!
            guard let slot = PythonLibrary.slotInside(debugHook: top, for: domain) else {
                evidence.add("\(domain): the debug hook is not on top after PyMem_SetupDebugHooks()")
                unwrapped.append("\(domain) (no hook on top)")
                continue
            }
            let inner = slot.pointee.ctx
            evidence.expect(inner == layer.ctx, "\(domain): the debug hook does not wrap the custom allocator")
            if inner != layer.ctx { unwrapped.append("\(domain)") }
            layer.reset()
            let block = runtime.library.functions(domain).malloc(16)
            runtime.library.functions(domain).free(block)
            evidence.expect(
                layer.calls.contains { $0.function == .malloc && $0.size == 16 + runtime.version.debugHookOverhead },
                "\(domain): a 16-byte request did not reach the custom allocator as "
                    + "\(16 + runtime.version.debugHookOverhead) bytes through the hooks")
        }
        return Result(problems: evidence.problems, compared: evidence.compared, unwrapped: unwrapped)
    }
}

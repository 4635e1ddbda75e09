import AllocatorLayers
import CPythonABI
import Checks
import PyRuntime
import Vocabulary

/// PyMem_GetAllocator / PyMem_SetAllocator: what an embedder's hook is promised.
public enum CustomAllocatorChecks {
    /// Setting what Get returned, and getting it back, gives the same struct (ctx and functions).
    public static func getSetRoundTrip(_ context: CheckContext) -> CheckVerdict {
        let library = context.library
        return context.eachDomain { domain, _, evidence in
            let original = library.allocator(domain)
            library.install(original, for: domain)
            evidence.expect(same(library.allocator(domain), original), "Get after Set(Get()) differs")
            let layer = RecordingLayer.installOnTop(of: domain, in: library)
            evidence.expect(
                same(library.allocator(domain), layer.allocator), "Get does not return the allocator just Set")
            layer.uninstall()
            evidence.expect(same(library.allocator(domain), original), "the original could not be put back")
        }
    }

    static func same(_ a: PMCMemAllocatorEx, _ b: PMCMemAllocatorEx) -> Bool {
        func bits<T>(_ value: T?) -> UInt { value.map { unsafeBitCast($0, to: UInt.self) } ?? 0 }
        return a.ctx == b.ctx && bits(a.malloc) == bits(b.malloc) && bits(a.calloc) == bits(b.calloc)
            && bits(a.realloc) == bits(b.realloc) && bits(a.free) == bits(b.free)
    }

    /// Runs one malloc, calloc, realloc and free through a hook on `domain` and returns the calls
    /// the hook saw along with what the caller passed and got.
    static func exercise(_ library: PythonLibrary, _ domain: AllocatorDomain) -> (
        layer: RecordingLayer, sent: [RecordingLayer.Call]
    ) {
        let functions = library.functions(domain)
        let layer = RecordingLayer.installOnTop(of: domain, in: library)
        layer.reset()
        var sent: [RecordingLayer.Call] = []
        let block = functions.malloc(40)
        sent.append(
            .init(function: .malloc, ctx: 0, size: 40, elementSize: 0, pointer: 0, result: UInt(bitPattern: block)))
        let zeroed = functions.calloc(3, 7)
        sent.append(
            .init(function: .calloc, ctx: 0, size: 3, elementSize: 7, pointer: 0, result: UInt(bitPattern: zeroed)))
        let grown = functions.realloc(block, 4000)
        sent.append(
            .init(
                function: .realloc, ctx: 0, size: 4000, elementSize: 0, pointer: UInt(bitPattern: block),
                result: UInt(bitPattern: grown)))
        functions.free(grown)
        sent.append(
            .init(function: .free, ctx: 0, size: 0, elementSize: 0, pointer: UInt(bitPattern: grown), result: 0))
        functions.free(zeroed)
        sent.append(
            .init(function: .free, ctx: 0, size: 0, elementSize: 0, pointer: UInt(bitPattern: zeroed), result: 0))
        layer.uninstall()
        return (layer, sent)
    }

    /// Every call reaches the hook with the ctx it was installed with.
    public static func ctxPassedToEveryCall(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { domain, _, evidence in
            let (layer, sent) = exercise(context.library, domain)
            let received = layer.receivedContexts
            evidence.expect(
                received.count >= sent.count, "the hook was called \(received.count) times for \(sent.count) calls")
            let installed = UInt(bitPattern: layer.ctx)
            for ctx in Set(received) {
                evidence.expect(
                    ctx == installed,
                    "the hook was called with ctx 0x\(String(ctx, radix: 16)), installed with \(Bytes.hex(layer.ctx))")
            }
        }
    }

    /// The hook receives exactly the caller's arguments (calloc keeps nelem and elsize apart)
    /// and the caller receives exactly the hook's result.
    public static func argumentsPassedThrough(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { domain, _, evidence in
            let (layer, sent) = exercise(context.library, domain)
            let seen = layer.calls.map { call -> RecordingLayer.Call in
                var call = call
                call.ctx = 0
                return call
            }
            for expected in sent {
                let sameFunction = seen.filter { $0.function == expected.function }.map(describe)
                evidence.expect(
                    seen.contains(expected),
                    "\(expected.function.rawValue)(\(describe(expected))) "
                        + "did not reach the hook unchanged; it saw \(sameFunction)")
            }
        }
    }

    static func describe(_ call: RecordingLayer.Call) -> String {
        switch call.function {
        case .malloc: return "\(call.size) → 0x\(String(call.result, radix: 16))"
        case .calloc: return "\(call.size), \(call.elementSize) → 0x\(String(call.result, radix: 16))"
        case .realloc:
            return "0x\(String(call.pointer, radix: 16)), \(call.size) → 0x\(String(call.result, radix: 16))"
        case .free: return "0x\(String(call.pointer, radix: 16))"
        }
    }

    /// A hook wrapping the previous allocator sees every call made through the API.
    public static func wrapperSeesEveryCall(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { domain, functions, evidence in
            let layer = RecordingLayer.installOnTop(of: domain, in: context.library)
            layer.reset()
            var blocks: [UnsafeMutableRawPointer?] = []
            for index in 0..<100 {
                blocks.append(index % 2 == 0 ? functions.malloc(index) : functions.calloc(index, 3))
            }
            blocks = blocks.map { functions.realloc($0, 700) }
            for block in blocks { functions.free(block) }
            layer.uninstall()
            var counts: [RecordingLayer.Function: Int] = [:]
            for call in layer.calls { counts[call.function, default: 0] += 1 }
            // Python itself may allocate in between (MEM/OBJ): at least ours must be there.
            for (function, expected) in [
                (RecordingLayer.Function.malloc, 50), (.calloc, 50), (.realloc, 100), (.free, 100),
            ] {
                evidence.expect(
                    counts[function, default: 0] >= expected,
                    "the hook saw \(counts[function, default: 0]) \(function.rawValue) calls of \(expected) made")
            }
        }
    }
}

extension CustomAllocatorChecks {
    /// Runs the scenario in a fresh process (it needs its own start-up, in which it installs the
    /// allocator and then the hooks itself) and reads its answer.
    public static func setupDebugHooksOverCustomAllocator(_ context: CheckContext) -> CheckVerdict {
        guard
            let outcome = try? IsolatedRun.run(
                .customAllocatorThenHooks, target: context.target, mode: .hooks,
                control: context.seams.scenarioControl)
        else {
            return .fail("could not start the scenario")
        }
        guard let result = IsolatedRun.result(CustomAllocatorScenario.Result.self, from: outcome) else {
            return .fail("the scenario \(outcome.summary): \(outcome.stderr.suffix(300))")
        }
        let verdict = CheckVerdict(
            status: result.problems.isEmpty ? .pass : .fail, evidence: result.problems, exercised: result.compared)
        return result.unwrapped.isEmpty
            ? verdict : verdict.observing("not wrapped: " + result.unwrapped.joined(separator: ", "))
    }
}

import Checks
import ClauseCatalogue
import DebugReport
import Foundation
import Isolation
import PyRuntime
import Vocabulary

/// Breaking the rules under the debug hooks: each violation runs in a forked child of the
/// worker, which must die in Py_FatalError with the documented report (FatalCheck compares it
/// field by field with the catalogue's expected report for the version).
public enum ViolationChecks {
    typealias Value = ExpectedReport.Value
    /// The byte every violation here writes over a pad.
    static let padByte = DebugFillBytes.padBreaker

    static func letter(_ domain: AllocatorDomain) -> String { String(domain.apiID) }

    static func badIDMessage(allocated: String, verified: String) -> String {
        ReportTexts.badID(allocated: allocated, verified: verified)
    }

    /// Freeing a block with another domain's free: every ordered pair of the clause's domains.
    public static func crossDomainFree(_ context: CheckContext) -> CheckVerdict {
        let apiID: (AllocatorDomain) -> [String: Value] = { ["api_id": .string(letter($0))] }
        return crossDomain(context, call: "Free", extraFields: apiID) { library, allocated, freed in
            library.functions(freed).free(library.functions(allocated).malloc(16))
        }
    }

    /// Resizing a block with another domain's realloc is detected the same way.
    public static func crossDomainRealloc(_ context: CheckContext) -> CheckVerdict {
        crossDomain(context, call: "Realloc") { library, allocated, resized in
            _ = library.functions(resized).realloc(library.functions(allocated).malloc(16), 64)
        }
    }

    /// A block of each domain handed to each other domain's `call` (`misuse` does it): the
    /// hooks' bad-ID report naming both APIs, plus `extraFields` of the allocating domain.
    private static func crossDomain(
        _ context: CheckContext, call: String,
        extraFields: @escaping (AllocatorDomain) -> [String: Value] = { _ in [:] },
        misuse: @escaping (PythonLibrary, _ allocated: AllocatorDomain, _ other: AllocatorDomain) -> Void
    ) -> CheckVerdict {
        let pairs = context.domains.flatMap { a in context.domains.filter { $0 != a }.map { (a, $0) } }
        return FatalCheck.run(
            context,
            pairs.map { allocated, other in
                let fields: [String: Value] = [
                    "message": .string(badIDMessage(allocated: letter(allocated), verified: letter(other))),
                    "allocated_api": .string(letter(allocated)),
                    "verified_api": .string(letter(other)),
                ]
                let name = "\(allocated.functionPrefix)Malloc then \(other.functionPrefix)\(call)"
                return FatalVariant(name, fields: fields.merging(extraFields(allocated)) { $1 }) { runtime in
                    misuse(runtime.library, allocated, other)
                }
            })
    }

    /// A write past the end, at each of the S trailing pad bytes, is found by free.
    public static func overflowDetected(_ context: CheckContext) -> CheckVerdict {
        padWritesDetected(context, field: "bad_trailing_offsets", offsets: Array(0..<BlockLayout.wordSize)) {
            (byte: 16 + $0, place: "tail+\($0)")
        }
    }

    /// A write before the start, at each of the S-1 leading pad bytes, is found by free.
    public static func underflowDetected(_ context: CheckContext) -> CheckVerdict {
        padWritesDetected(context, field: "bad_leading_offsets", offsets: (1..<BlockLayout.wordSize).map { -$0 }) {
            (byte: $0, place: "p\($0)")
        }
    }

    /// Free of a 16-byte block after one pad byte was overwritten, for each pad offset: the
    /// report names the offset in `field`; `position` gives the byte written (from the block's
    /// start) and how the variant says it.
    static func padWritesDetected(
        _ context: CheckContext, field: String, offsets: [Int],
        position: @escaping (Int) -> (byte: Int, place: String)
    ) -> CheckVerdict {
        FatalCheck.run(
            context,
            context.domains.flatMap { domain in
                offsets.map { offset in
                    let (byte, place) = position(offset)
                    // The report also states the byte the pads should hold (the version's
                    // FORBIDDENBYTE) and finds the other side's pads intact.
                    let fields: [String: ReportValue] = [
                        field: .integers([offset]), otherSide(of: field): .integers([]),
                        "expected_pad_byte": .integer(Int(context.version.debugBytes.forbidden)),
                        "api_id": .string(letter(domain)), "bytes_requested": .integer(16),
                    ]
                    return onABlock(domain, "Free after a write at \(place)", fields) { functions, block in
                        block.storeBytes(of: padByte, toByteOffset: byte, as: UInt8.self)
                        functions.free(block)
                    }
                }
            })
    }

    static func otherSide(of field: String) -> String {
        field == "bad_trailing_offsets" ? "bad_leading_offsets" : "bad_trailing_offsets"
    }

    /// realloc checks the pads first too: an overflow is reported by realloc.
    public static func overflowDetectedByRealloc(_ context: CheckContext) -> CheckVerdict {
        FatalCheck.run(
            context,
            context.domains.map { domain in
                onABlock(domain, "Realloc after a write at tail+0", ["bad_trailing_offsets": .integers([0])]) {
                    functions, block in
                    block.storeBytes(of: padByte, toByteOffset: 16, as: UInt8.self)
                    _ = functions.realloc(block, 32)
                }
            })
    }

    /// A variant that takes a 16-byte block of `domain` and does `violate` to it.
    static func onABlock(
        _ domain: AllocatorDomain, _ what: String, _ fields: [String: ReportValue],
        _ violate: @escaping (DomainFunctions, UnsafeMutableRawPointer) -> Void
    ) -> FatalVariant {
        FatalVariant("\(domain.functionPrefix)\(what)", fields: fields) { runtime in
            let functions = runtime.library.functions(domain)
            violate(functions, functions.malloc(16)!)
        }
    }

    /// Overwriting the API id byte p[-S] is reported as a bad ID naming the byte written.
    public static func apiIDOverwriteDetected(_ context: CheckContext) -> CheckVerdict {
        FatalCheck.run(
            context,
            context.domains.map { domain in
                let message = badIDMessage(allocated: "z", verified: letter(domain))
                return onABlock(domain, "Free after p[-8] = 'z'", ["message": .string(message)]) { functions, block in
                    (block - BlockLayout.wordSize).storeBytes(of: UInt8(ascii: "z"), as: UInt8.self)
                    functions.free(block)
                }
            })
    }

    /// MEM and OBJ functions called without the GIL are fatal under the debug hooks.
    public static func callWithoutGIL(_ context: CheckContext) -> CheckVerdict {
        FatalCheck.run(
            context,
            context.domains.filter { $0 != .raw }.map { domain in
                FatalVariant("\(domain.functionPrefix)Malloc without the GIL") { runtime in
                    runtime.withoutGIL {
                        runtime.library.functions(domain).free(runtime.library.functions(domain).malloc(16))
                    }
                }
            })
    }

    /// calloc, realloc and free without the GIL are fatal too, each reported by its own debug
    /// function (named in the report from 3.9). The blocks realloc and free are given were
    /// allocated holding the GIL: only the call under test is made without it.
    public static func everyFunctionWithoutGIL(_ context: CheckContext) -> CheckVerdict {
        let named = context.version >= PythonVersion(3, 9)
        func variant(
            _ domain: AllocatorDomain, _ call: String, _ debugFunction: String,
            _ body: @escaping (DomainFunctions, PythonRuntime) -> Void
        ) -> FatalVariant {
            FatalVariant(
                "\(domain.functionPrefix)\(call) without the GIL",
                fields: named ? ["function": .string(debugFunction)] : [:]
            ) { runtime in body(runtime.library.functions(domain), runtime) }
        }
        return FatalCheck.run(
            context,
            context.domains.filter { $0 != .raw }.flatMap { domain in
                [
                    variant(domain, "Calloc", "_PyMem_DebugCalloc") { functions, runtime in
                        runtime.withoutGIL { functions.free(functions.calloc(1, 16)) }
                    },
                    variant(domain, "Realloc", "_PyMem_DebugRealloc") { functions, runtime in
                        let block = functions.malloc(16)
                        runtime.withoutGIL { _ = functions.realloc(block, 32) }
                    },
                    variant(domain, "Free", "_PyMem_DebugFree") { functions, runtime in
                        let block = functions.malloc(16)
                        runtime.withoutGIL { functions.free(block) }
                    },
                ]
            })
    }

    /// The GIL check still holds once a subinterpreter has been made and ended (as CPython's own
    /// tests make one: _testcapi.run_in_subinterp's sequence of calls).
    public static func withoutGILAfterSubinterpreter(_ context: CheckContext) -> CheckVerdict {
        guard context.library.optionalSymbol("Py_NewInterpreter", as: UnsafeMutableRawPointer.self) != nil else {
            return .notApplicable("the target lacks Py_NewInterpreter")
        }
        let verdict = FatalCheck.run(
            context,
            context.domains.filter { $0 != .raw }.map { domain in
                FatalVariant("\(domain.functionPrefix)Malloc without the GIL after a subinterpreter") { runtime in
                    _ = Subinterpreter.makeAndEnd(runtime.library)
                    runtime.withoutGIL {
                        runtime.library.functions(domain).free(runtime.library.functions(domain).malloc(16))
                    }
                }
            })
        // How the check went unheard, in words a recorded deviation can name.
        let text = verdict.evidence.joined(separator: " ")
        if verdict.status == .fail && text.contains("got: exited with status 0") {
            return verdict.observing("no report: the call was served")
        }
        if verdict.status == .fail && text.contains("got: terminated by signal 11 (SIGSEGV)")
            && text.contains("inside PyMem_Malloc(16)")
        {
            return verdict.observing("no report: SIGSEGV inside PyMem_Malloc")
        }
        return verdict
    }

    /// With tracemalloc tracing, the report shows where the block was allocated.
    public static func tracemallocTraceback(_ context: CheckContext) -> CheckVerdict {
        FatalCheck.run(
            context,
            [
                // The traceback is the allocation's own: the line that called PyMem_Malloc (in
                // allocate), then the line that called allocate, most recent first.
                FatalVariant(
                    "overflow of a block allocated from Python code", fields: ["allocation_lines": .integers([7, 8])]
                ) { runtime in
                    runtime.run(
                        """
                        import ctypes, tracemalloc
                        tracemalloc.start(5)
                        api = ctypes.pythonapi
                        api.PyMem_Malloc.restype = ctypes.c_void_p
                        api.PyMem_Free.argtypes = [ctypes.c_void_p]
                        def allocate():
                            return api.PyMem_Malloc(16)
                        block = allocate()
                        ctypes.memset(block + 16, \(padByte), 1)
                        api.PyMem_Free(block)
                        """)
                }
            ])
    }
}

extension ViolationChecks {
    /// realloc checks the leading pads too: an underflow is reported by realloc.
    public static func underflowDetectedByRealloc(_ context: CheckContext) -> CheckVerdict {
        FatalCheck.run(
            context,
            context.domains.map { domain in
                onABlock(domain, "Realloc after a write at p-1", ["bad_leading_offsets": .integers([-1])]) {
                    functions, block in
                    (block - 1).storeBytes(of: padByte, as: UInt8.self)
                    _ = functions.realloc(block, 32)
                }
            })
    }

    /// Freeing a block twice does not go unnoticed: the first free wrote DEADBYTE over the API
    /// id, so the second stops the process and starts the report on that very block. (The
    /// report's dump then reads the tail at the size the header holds, which the first free
    /// erased or the allocator's free list overwrote: CPython dies with SIGSEGV or SIGBUS in the
    /// dump, or with SIGABRT after it; any of them ends the check, with the report's first line.) A block
    /// of the same size stays live, so that pymalloc keeps the pool (and its arena) mapped.
    public static func doubleFreeDetected(_ context: CheckContext) -> CheckVerdict {
        var evidence = Evidence()
        for domain in context.domains {
            let name = "\(domain.functionPrefix)Free twice"
            let outcome: ChildOutcome
            do {
                outcome = try ForkedChild.run(timeout: FatalCheck.timeout) {
                    let functions = context.runtime.library.functions(domain)
                    let keeper = functions.malloc(16)
                    let block = functions.malloc(16)!
                    WorkerChannel.send(Bytes.hex(block)) // before the frees that stop the process
                    functions.free(block)
                    functions.free(block)
                    functions.free(keeper)
                    print("undetected")
                }
            } catch {
                evidence.add("\(name): could not isolate it: \(error)")
                continue
            }
            let block = WorkerChannel.messages(String.self, in: outcome.stdout).first ?? "?"
            let stopped = [SIGABRT, SIGSEGV, SIGBUS].contains(outcome.signal ?? 0)
            evidence.expect(
                stopped,
                "\(name): expected the process stopped (SIGABRT, or "
                    + "SIGSEGV/SIGBUS in the dump), got: \(outcome.summary)")
            evidence.expect(
                outcome.stderr.contains("Debug memory block at address p=\(block)"),
                "\(name): no report on the block \(block) (stderr: \(outcome.stderr.prefix(200)))")
        }
        return evidence.verdict
    }

    /// Python that allocates `block` (16 bytes, PyMem_Malloc) through ctypes.
    static let allocateFromPython =
        "import ctypes\n"
        + "ctypes.pythonapi.PyMem_Malloc.restype = ctypes.c_void_p\n"
        + "block = ctypes.pythonapi.PyMem_Malloc(16)\n"
    /// Python that writes one byte past `block` and frees it.
    static let overflowFromPython =
        "ctypes.pythonapi.PyMem_Free.argtypes = [ctypes.c_void_p]\n"
        + "ctypes.memset(block + 16, \(padByte), 1)\n"
        + "ctypes.pythonapi.PyMem_Free(block)\n"

    /// With tracemalloc off, or tracing but not that block, the report has no allocation
    /// traceback (with it off, the report says how to get one).
    public static func noTracebackUntraced(_ context: CheckContext) -> CheckVerdict {
        FatalCheck.run(
            context,
            [
                FatalVariant("overflow with tracemalloc off", fields: ["tracemalloc_hint": .flag(true)]) { runtime in
                    runtime.run(allocateFromPython + overflowFromPython)
                },
                FatalVariant(
                    "overflow of a block allocated before tracemalloc.start()",
                    fields: ["tracemalloc_hint": .flag(false)]
                ) { runtime in
                    runtime.run(allocateFromPython + "import tracemalloc\ntracemalloc.start(5)\n" + overflowFromPython)
                },
            ])
    }
}

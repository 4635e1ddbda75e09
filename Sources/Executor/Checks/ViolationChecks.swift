import ClauseCatalogue
import PyRuntime

/// Breaking the rules under the debug hooks: each violation runs in a forked child of the
/// worker, which must die in Py_FatalError with the documented report (FatalCheck compares it
/// field by field with the catalogue's expected report for the version).
public enum ViolationChecks {
    typealias Value = ExpectedReport.Value

    static func letter(_ domain: AllocatorDomain) -> String { String(domain.apiID) }

    static func badIDMessage(allocated: String, verified: String) -> String {
        "bad ID: Allocated using API '\(allocated)', verified using API '\(verified)'"
    }

    /// Freeing a block with another domain's free: every ordered pair of the clause's domains.
    public static func crossDomainFree(_ context: CheckContext) -> CheckVerdict {
        let pairs = context.domains.flatMap { a in context.domains.filter { $0 != a }.map { (a, $0) } }
        return FatalCheck.run(context, pairs.map { allocated, freed in
            FatalVariant("\(allocated.functionPrefix)Malloc then \(freed.functionPrefix)Free", fields: [
                "message": .string(badIDMessage(allocated: letter(allocated), verified: letter(freed))),
                "api_id": .string(letter(allocated)),
                "allocated_api": .string(letter(allocated)),
                "verified_api": .string(letter(freed)),
            ]) { runtime in
                let library = runtime.library
                library.functions(freed).free(library.functions(allocated).malloc(16))
            }
        })
    }

    /// Resizing a block with another domain's realloc is detected the same way.
    public static func crossDomainRealloc(_ context: CheckContext) -> CheckVerdict {
        let pairs = context.domains.flatMap { a in context.domains.filter { $0 != a }.map { (a, $0) } }
        return FatalCheck.run(context, pairs.map { allocated, resized in
            FatalVariant("\(allocated.functionPrefix)Malloc then \(resized.functionPrefix)Realloc", fields: [
                "message": .string(badIDMessage(allocated: letter(allocated), verified: letter(resized))),
                "allocated_api": .string(letter(allocated)),
                "verified_api": .string(letter(resized)),
            ]) { runtime in
                let library = runtime.library
                _ = library.functions(resized).realloc(library.functions(allocated).malloc(16), 64)
            }
        })
    }

    /// A write past the end, at each of the S trailing pad bytes, is found by free.
    public static func overflowDetected(_ context: CheckContext) -> CheckVerdict {
        FatalCheck.run(context, context.domains.flatMap { domain in
            (0..<BlockLayout.wordSize).map { offset in
                FatalVariant("\(domain.functionPrefix)Free after a write at tail+\(offset)", fields: [
                    "bad_trailing_offsets": .integers([offset]), "api_id": .string(letter(domain)), "bytes_requested": .integer(16),
                ]) { runtime in
                    let functions = runtime.library.functions(domain)
                    let block = functions.malloc(16)!
                    block.storeBytes(of: 0x78, toByteOffset: 16 + offset, as: UInt8.self)
                    functions.free(block)
                }
            }
        })
    }

    /// A write before the start, at each of the S-1 leading pad bytes, is found by free.
    public static func underflowDetected(_ context: CheckContext) -> CheckVerdict {
        FatalCheck.run(context, context.domains.flatMap { domain in
            (1..<BlockLayout.wordSize).map { distance in
                FatalVariant("\(domain.functionPrefix)Free after a write at p-\(distance)", fields: [
                    "bad_leading_offsets": .integers([-distance]), "api_id": .string(letter(domain)), "bytes_requested": .integer(16),
                ]) { runtime in
                    let functions = runtime.library.functions(domain)
                    let block = functions.malloc(16)!
                    (block - distance).storeBytes(of: 0x78, as: UInt8.self)
                    functions.free(block)
                }
            }
        })
    }

    /// realloc checks the pads first too: an overflow is reported by realloc.
    public static func overflowDetectedByRealloc(_ context: CheckContext) -> CheckVerdict {
        FatalCheck.run(context, context.domains.map { domain in
            FatalVariant("\(domain.functionPrefix)Realloc after a write at tail+0", fields: ["bad_trailing_offsets": .integers([0])]) { runtime in
                let functions = runtime.library.functions(domain)
                let block = functions.malloc(16)!
                block.storeBytes(of: 0x78, toByteOffset: 16, as: UInt8.self)
                _ = functions.realloc(block, 32)
            }
        })
    }

    /// Overwriting the API id byte p[-S] is reported as a bad ID naming the byte written.
    public static func apiIDOverwriteDetected(_ context: CheckContext) -> CheckVerdict {
        FatalCheck.run(context, context.domains.map { domain in
            FatalVariant("\(domain.functionPrefix)Free after p[-8] = 'z'", fields: [
                "message": .string(badIDMessage(allocated: "z", verified: letter(domain))),
            ]) { runtime in
                let functions = runtime.library.functions(domain)
                let block = functions.malloc(16)!
                (block - BlockLayout.wordSize).storeBytes(of: UInt8(ascii: "z"), as: UInt8.self)
                functions.free(block)
            }
        })
    }

    /// MEM and OBJ functions called without the GIL are fatal under the debug hooks.
    public static func callWithoutGIL(_ context: CheckContext) -> CheckVerdict {
        FatalCheck.run(context, context.domains.filter { $0 != .raw }.map { domain in
            FatalVariant("\(domain.functionPrefix)Malloc without the GIL") { runtime in
                runtime.withoutGIL { runtime.library.functions(domain).free(runtime.library.functions(domain).malloc(16)) }
            }
        })
    }

    /// With tracemalloc tracing, the report shows where the block was allocated.
    public static func tracemallocTraceback(_ context: CheckContext) -> CheckVerdict {
        FatalCheck.run(context, [FatalVariant("overflow of a block allocated from Python code") { runtime in
            runtime.run("""
                import ctypes, tracemalloc
                tracemalloc.start(5)
                api = ctypes.pythonapi
                api.PyMem_Malloc.restype = ctypes.c_void_p
                api.PyMem_Free.argtypes = [ctypes.c_void_p]
                def allocate():
                    return api.PyMem_Malloc(16)
                block = allocate()
                ctypes.memset(block + 16, 0x78, 1)
                api.PyMem_Free(block)
                """)
        }])
    }
}

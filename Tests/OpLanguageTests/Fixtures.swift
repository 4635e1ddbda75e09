import Vocabulary

@testable import OpLanguage

/// xorshift64: a tiny deterministic generator, so the property tests see the same inputs on
/// every run and platform (no system randomness).
struct XorShift64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Programs shared by the tests.
enum Fixtures {
    /// One op of every kind, in every domain where the op has one.
    static let everyKind = Program([
        .malloc(.raw, size: Size(16), slot: Slot(3)),
        .calloc(.mem, count: Size(4), size: Size(8), slot: Slot(1)),
        .realloc(.obj, slot: Slot(3), size: Size(100)),
        .free(.mem, slot: Slot(3)),
        .write(slot: Slot(3), offset: 0, length: 16, seed: 7),
        .check(slot: Slot(15)),
        .failNext(.mem, .realloc),
        .failNext(.obj, .calloc),
        .rawThread(rounds: 10),
        .on(.thread),
        .on(.interpreter),
        .on(.main),
        .crossFree(slot: Slot(3), .obj),
        .padWrite(slot: Slot(3), offset: -2),
        .padWrite(slot: Slot(4), offset: 7),
        .padWrite(slot: Slot(5), offset: -7),
        .padWrite(slot: Slot(6), offset: 0),
        .apiIDWrite(slot: Slot(3)),
        .withoutGIL(.mem),
    ])

    /// A malloc of every boundary size, plus the largest literal sizes.
    static let boundarySizes = Program(
        Size.boundaries.enumerated().map { i, b in
            .malloc(AllocatorDomain.allCases[i % 3], size: Size(b), slot: Slot(i))
        }
            + [
                .calloc(.obj, count: Size(191), size: Size(0), slot: Slot(0)),
                .realloc(.raw, slot: Slot(2), size: Size(UInt.max)),
            ]
    )

    /// The text form of `everyKind`, exactly as render writes it.
    static let everyKindText = """
        # pymemcheck ops v1
        malloc raw 16 -> s3
        calloc mem 4 8 -> s1
        realloc obj s3 100
        free mem s3
        write s3 0 16 seed 7
        check s15
        fail-next mem realloc
        fail-next obj calloc
        raw-thread 10
        on thread
        on interpreter
        on main
        violation cross-free s3 obj
        violation pad-write s3 -2
        violation pad-write s4 7
        violation pad-write s5 -7
        violation pad-write s6 0
        violation api-id s3
        violation without-gil mem

        """
}

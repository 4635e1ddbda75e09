import Vocabulary

/// Why bytes could not be decoded or a program could not be encoded.
public enum ByteFormError: Error, CustomStringConvertible, Sendable, Hashable {
    case empty
    case unsupportedVersion(UInt8)
    case unencodableSize(UInt)
    case unencodableOffset(Int8)

    public var description: String {
        switch self {
        case .empty:
            return "empty input; expected a version byte \(ByteForm.version) followed by ops"
        case .unsupportedVersion(let v):
            return "unsupported byte-form version \(v); expected \(ByteForm.version)"
        case .unencodableSize(let s):
            return "size \(s) has no byte code; expected 0...191 or one of Size.boundaries"
        case .unencodableOffset(let o):
            return "pad-write offset \(o) has no byte code; expected -7...7"
        }
    }
}

/// The byte form of programs, the one fuzzers mutate (Fuzz/FORMAT.md, frozen table v1).
///
/// Every byte string that starts with the version byte decodes, so a fuzzer never wastes an
/// input; decoding canonicalises, so decode(encode(decode(x))) == decode(x).
public enum ByteForm {
    public static let version: UInt8 = 1

    /// Op kind codes (low 5 bits of an opcode byte). Frozen: never renumber; new kinds take
    /// codes from the reserved range 13...31 only.
    enum Kind: UInt8, CaseIterable {
        case malloc = 0
        case calloc, realloc, free, write, check, failNext, rawThread
        case crossFree, padWrite, apiIDWrite, withoutGIL
        case on = 12
    }

    /// The largest size written literally; bytes above it index Size.boundaries.
    static let largestLiteralSize: UInt8 = 191
    /// pad-write offsets -7...-1 and 0...7 take byte values 0...14.
    static let padOffsetCodes: UInt8 = 15

    public static func decode(_ bytes: some Collection<UInt8>) throws(ByteFormError) -> Program {
        var reader = ByteReader(Array(bytes))
        guard !reader.isAtEnd else { throw .empty }
        let v = reader.next()
        guard v == version else { throw .unsupportedVersion(v) }
        var ops: [Op] = []
        while !reader.isAtEnd {
            if let op = decodeOp(&reader) { ops.append(op) }
        }
        return Program(ops)
    }

    public static func encode(_ program: Program) throws(ByteFormError) -> [UInt8] {
        var bytes = [version]
        for op in program.ops { bytes += try encode(op) }
        return bytes
    }
}

/// Reads bytes in order; past the end it reads 0, so a truncated input still decodes.
struct ByteReader {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { index >= bytes.count }

    mutating func next() -> UInt8 {
        defer { index += 1 }
        return index < bytes.count ? bytes[index] : 0
    }
}

// MARK: - Decoding

extension ByteForm {
    /// One op from its opcode byte and operands; nil for a reserved kind (opcode byte only).
    static func decodeOp(_ r: inout ByteReader) -> Op? {
        let opcode = r.next()
        // Bit 7 is ignored and domain value 3 wraps to raw, so that every opcode byte means something.
        let domain = AllocatorDomain(code: ((opcode >> 5) & 0b11) % 3)!
        guard let kind = Kind(rawValue: opcode & 0b1_1111) else { return nil }
        switch kind {
        case .malloc: return .malloc(domain, size: size(r.next()), slot: slot(r.next()))
        case .calloc:
            let count = size(r.next())
            return .calloc(domain, count: count, size: size(r.next()), slot: slot(r.next()))
        case .realloc: return .realloc(domain, slot: slot(r.next()), size: size(r.next()))
        case .free: return .free(domain, slot: slot(r.next()))
        case .write:
            let s = slot(r.next())
            let offset = r.next()
            let length = r.next()
            return .write(slot: s, offset: offset, length: length, seed: r.next())
        case .check: return .check(slot: slot(r.next()))
        case .failNext: return .failNext(domain, AllocatorFunction(rawValue: r.next() % 3)!)
        case .rawThread: return .rawThread(rounds: r.next())
        case .crossFree: return .crossFree(slot: slot(r.next()), domain)
        case .padWrite: return .padWrite(slot: slot(r.next()), offset: padOffset(r.next()))
        case .apiIDWrite: return .apiIDWrite(slot: slot(r.next()))
        case .withoutGIL: return .withoutGIL(domain)
        case .on: return .on(Place(rawValue: r.next() % 3)!)
        }
    }

    static func slot(_ b: UInt8) -> Slot { Slot(Int(b)) }

    static func size(_ b: UInt8) -> Size {
        if b <= largestLiteralSize { return Size(UInt(b)) }
        let boundaries = Size.boundaries
        return Size(boundaries[(Int(b) - Int(largestLiteralSize) - 1) % boundaries.count])
    }

    /// Byte values 0...6 are -1...-7 (the pad before the block), 7...14 are 0...7 (after it).
    static func padOffset(_ b: UInt8) -> Int8 {
        let v = Int8(b % padOffsetCodes)
        return v < 7 ? -(v + 1) : v - 7
    }
}

// MARK: - Encoding

extension ByteForm {
    static func encode(_ op: Op) throws(ByteFormError) -> [UInt8] {
        switch op {
        case .malloc(let d, let s, let sl): return [opcode(.malloc, d), try sizeByte(s), sl.byte]
        case .calloc(let d, let c, let s, let sl):
            return [opcode(.calloc, d), try sizeByte(c), try sizeByte(s), sl.byte]
        case .realloc(let d, let sl, let s): return [opcode(.realloc, d), sl.byte, try sizeByte(s)]
        case .free(let d, let sl): return [opcode(.free, d), sl.byte]
        case .write(let sl, let offset, let length, let seed):
            return [opcode(.write), sl.byte, offset, length, seed]
        case .check(let sl): return [opcode(.check), sl.byte]
        case .failNext(let d, let f): return [opcode(.failNext, d), f.rawValue]
        case .rawThread(let rounds): return [opcode(.rawThread), rounds]
        case .crossFree(let sl, let d): return [opcode(.crossFree, d), sl.byte]
        case .padWrite(let sl, let offset): return [opcode(.padWrite), sl.byte, try padOffsetByte(offset)]
        case .apiIDWrite(let sl): return [opcode(.apiIDWrite), sl.byte]
        case .withoutGIL(let d): return [opcode(.withoutGIL, d)]
        case .on(let place): return [opcode(.on), place.rawValue]
        }
    }

    static func opcode(_ kind: Kind, _ domain: AllocatorDomain = .raw) -> UInt8 {
        kind.rawValue | domain.code << 5
    }

    /// The canonical byte: the literal for small sizes, else the first boundary index.
    static func sizeByte(_ size: Size) throws(ByteFormError) -> UInt8 {
        if size.bytes <= UInt(largestLiteralSize) { return UInt8(size.bytes) }
        guard let i = Size.boundaries.firstIndex(of: size.bytes) else { throw .unencodableSize(size.bytes) }
        return largestLiteralSize + 1 + UInt8(i)
    }

    static func padOffsetByte(_ offset: Int8) throws(ByteFormError) -> UInt8 {
        switch offset {
        case -7 ... -1: return UInt8(-offset - 1)
        case 0...7: return UInt8(offset + 7)
        default: throw .unencodableOffset(offset)
        }
    }
}

extension Slot {
    var byte: UInt8 { UInt8(index) }
}

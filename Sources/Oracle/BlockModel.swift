import OpLanguage
import Vocabulary

/// What the oracle knows of one live block: where it is, who made it, how big it was asked to
/// be, and the bytes it must hold (where they are known).
public struct BlockModel: Sendable {
    public var address: UInt
    public var domain: AllocatorDomain
    public var size: Int
    public var expected: [UInt8]
    public var known: KnownRanges

    public init(address: UInt, domain: AllocatorDomain, size: Int, expected: [UInt8], known: KnownRanges) {
        self.address = address
        self.domain = domain
        self.size = size
        self.expected = expected
        self.known = known
    }

    public var pointer: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: address)! }

    /// The address range the block occupies for the overlap check (zero bytes count as one:
    /// the documents make malloc(0) behave as malloc(1)).
    public var span: Range<UInt> { address..<(address + UInt(max(size, 1))) }

    /// Records bytes written into the block.
    public mutating func write(_ bytes: [UInt8], at offset: Int) {
        expected.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        known.insert(offset..<(offset + bytes.count))
    }

    /// Resizes the model as realloc does: keeps min(old, new) bytes; the grown part is `fill`
    /// when the allocator promises one (CLEANBYTE under the debug hooks), else unknown.
    public mutating func resize(to newSize: Int, fill: UInt8?) {
        if newSize < size {
            expected.removeLast(size - newSize)
            known.truncate(to: newSize)
        } else if newSize > size {
            expected.append(contentsOf: repeatElement(fill ?? 0, count: newSize - size))
            if fill != nil { known.insert(size..<newSize) }
        }
        size = newSize
    }
}

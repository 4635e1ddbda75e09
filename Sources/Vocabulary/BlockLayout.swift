/// The debug hooks' layout around a block p of N requested bytes (S = sizeof(size_t)):
/// p[-2S:-S] N big-endian, p[-S] the API id, p[-S+1:0] S-1 forbidden bytes, then N data bytes,
/// then S forbidden bytes. Read only where the hooks are known to be installed.
public struct BlockLayout: Sendable, Codable, Equatable {
    public var domain: String
    public var requested: Int
    public var address: String
    /// The size stored in the header (big-endian), as read.
    public var headerSize: Int
    public var apiID: String
    public var leadingPad: [UInt8]
    public var trailingPad: [UInt8]
    /// Up to the first 8 data bytes, as allocated (CLEANBYTE where the hooks filled them).
    public var firstBytes: [UInt8]

    public init(
        domain: String, requested: Int, address: String, headerSize: Int, apiID: String, leadingPad: [UInt8],
        trailingPad: [UInt8], firstBytes: [UInt8]
    ) {
        self.domain = domain
        self.requested = requested
        self.address = address
        self.headerSize = headerSize
        self.apiID = apiID
        self.leadingPad = leadingPad
        self.trailingPad = trailingPad
        self.firstBytes = firstBytes
    }

    public static let wordSize = MemoryLayout<Int>.size
    /// How far before p the hooks' header starts: the size word, then the API id word.
    public static let headerLength = 2 * wordSize

    /// Whether this is the layout the hooks of `version` write for `domain`; the first `unfilled`
    /// data bytes are the allocator's (PythonTarget.bytesTheHooksLeaveUnfilled).
    public func matchesDebugLayout(of version: PythonVersion, domain: AllocatorDomain, unfilled: Int = 0) -> Bool {
        let bytes = version.debugBytes
        return headerSize == requested && apiID == String(domain.apiID)
            && leadingPad.allSatisfy { $0 == bytes.forbidden } && trailingPad.allSatisfy { $0 == bytes.forbidden }
            && firstBytes.dropFirst(unfilled).allSatisfy { $0 == bytes.clean }
    }
}

extension BlockLayout {
    /// Reads the layout around `block`. (Declared here, not in the type, so that the memberwise
    /// initialiser is synthesised as well: tests build layouts by hand.)
    public init(block: UnsafeMutableRawPointer, requested: Int, domain: AllocatorDomain) {
        let word = Self.wordSize
        let header = block - Self.headerLength
        self.domain = domain.description
        self.requested = requested
        self.address = "0x" + String(UInt(bitPattern: block), radix: 16)
        headerSize = (0..<word).reduce(0) { ($0 << 8) | Int(header.load(fromByteOffset: $1, as: UInt8.self)) }
        apiID = String(UnicodeScalar((block - word).load(as: UInt8.self)))
        leadingPad = (1..<word).map { (block - word).load(fromByteOffset: $0, as: UInt8.self) }
        trailingPad = (0..<word).map { block.load(fromByteOffset: requested + $0, as: UInt8.self) }
        firstBytes = (0..<min(requested, 8)).map { block.load(fromByteOffset: $0, as: UInt8.self) }
    }
}

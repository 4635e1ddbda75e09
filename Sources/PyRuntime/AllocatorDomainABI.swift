import CPythonABI
import Vocabulary

extension AllocatorDomain {
    /// The domain as the C side of the package names it.
    public var cValue: PMCDomain { PMCDomain(rawValue: UInt32(rawValue)) }
}

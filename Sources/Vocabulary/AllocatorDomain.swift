/// CPython's three allocator domains (PyMemAllocatorDomain).
public enum AllocatorDomain: Int32, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case raw = 0
    case mem = 1
    case obj = 2

    /// The API id the debug hooks write in each block's header: 'r', 'm', 'o'.
    public var apiID: Character {
        switch self {
        case .raw: return "r"
        case .mem: return "m"
        case .obj: return "o"
        }
    }

    public var description: String {
        switch self {
        case .raw: return "raw"
        case .mem: return "mem"
        case .obj: return "obj"
        }
    }

    /// The C API prefix: PyMem_Raw, PyMem_, PyObject_.
    public var functionPrefix: String {
        switch self {
        case .raw: return "PyMem_Raw"
        case .mem: return "PyMem_"
        case .obj: return "PyObject_"
        }
    }

    /// The domain's name in the op language, the catalogue and every report: "raw", "mem", "obj".
    public var name: String { description }

    /// The domain's code in the op language's byte form (its PyMemAllocatorDomain value).
    public var code: UInt8 { UInt8(rawValue) }

    public init?(code: UInt8) { self.init(rawValue: Int32(code)) }

    public init?(name: String) {
        guard let domain = Self.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = domain
    }
}

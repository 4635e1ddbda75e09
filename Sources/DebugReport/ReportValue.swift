/// A report field's value, expected or found: a string, a number, a list of numbers, a flag,
/// or null (absent).
public enum ReportValue: Sendable, Codable, Equatable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case integers([Int])
    case flag(Bool)
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .flag(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode([Int].self) {
            self = .integers(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .integers(let value): try container.encode(value)
        case .flag(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    public var description: String {
        switch self {
        case .string(let value): return "'\(value)'"
        case .integer(let value): return String(value)
        case .integers(let value): return "\(value)"
        case .flag(let value): return String(value)
        case .null: return "absent"
        }
    }
}

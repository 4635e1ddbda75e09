import DebugReport
import OpLanguage
import Vocabulary

/// What the documents say must happen when a violation runs under the debug hooks: the fatal
/// report's fields for this version, or nothing at all when the op breaks no rule after all
/// (a slot that is empty, a "cross-domain" free in the same domain, RAW without the GIL).
public struct ViolationExpectation: Sendable, Codable, Equatable {
    /// Whether the op breaks a rule the hooks check.
    public var detectable: Bool
    /// The report fields (catalogue names: message, function, api_id, bytes_requested, ...).
    public var fields: [String: ReportValue]
    /// Bad pad offsets, for pad writes.
    public var leadingOffsets: [Int]?
    public var trailingOffsets: [Int]?
    public var describe: String

    /// The byte a pad write stores.
    public static let padByte = DebugFillBytes.padBreaker
    /// The byte written over the API id.
    public static let foreignAPIID: UInt8 = UInt8(ascii: "z")

    public static func none(_ why: String) -> ViolationExpectation {
        ViolationExpectation(detectable: false, fields: [:], describe: why)
    }

    /// The expectation for `op` given the block in its slot (if any).
    public static func of(_ op: Op, block: BlockModel?, version: PythonVersion) -> ViolationExpectation {
        // Before 3.9 the report names no function.
        let freeFunction: ReportValue =
            ReportTexts.function("_PyMem_DebugRawFree", version: version).map { .string($0) } ?? .null
        func letter(_ domain: AllocatorDomain) -> String { String(domain.apiID) }
        switch op {
        case .crossFree(_, let domain):
            guard let block else { return .none("the slot is empty: free(NULL)") }
            guard block.domain != domain else { return .none("freed with its own domain") }
            return ViolationExpectation(
                detectable: true,
                fields: [
                    "message": .string(ReportTexts.badID(allocated: letter(block.domain), verified: letter(domain))),
                    "function": freeFunction,
                ], describe: "\(block.domain.name) block freed by \(domain.name)")
        case .padWrite(_, let offset):
            guard let block else { return .none("the slot is empty") }
            let leading = offset < 0
            return ViolationExpectation(
                detectable: true,
                fields: [
                    "message": .string(leading ? ReportTexts.badLeadingPad : ReportTexts.badTrailingPad),
                    "function": freeFunction,
                    "api_id": .string(letter(block.domain)),
                    "bytes_requested": .integer(block.size),
                ], leadingOffsets: leading ? [Int(offset)] : nil, trailingOffsets: leading ? nil : [Int(offset)],
                describe: "write at \(leading ? "p\(offset)" : "tail+\(offset)") of a "
                    + "\(block.size)-byte \(block.domain.name) block")
        case .apiIDWrite:
            guard let block else { return .none("the slot is empty") }
            return ViolationExpectation(
                detectable: true,
                fields: [
                    "message": .string(ReportTexts.badID(allocated: "z", verified: letter(block.domain))),
                    "function": freeFunction,
                ], describe: "API id of a \(block.domain.name) block overwritten")
        case .withoutGIL(let domain):
            guard domain != .raw else { return .none("RAW needs no GIL") }
            return ViolationExpectation(
                detectable: true,
                fields: [
                    "message": .string(ReportTexts.withoutGIL),
                    "function": ReportTexts.function("_PyMem_DebugMalloc", version: version).map { .string($0) }
                        ?? .null,
                ], describe: "\(domain.name) malloc without the GIL")
        default:
            return .none("not a violation")
        }
    }
}

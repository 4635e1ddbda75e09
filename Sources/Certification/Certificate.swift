import Foundation
import Oracle
import Reports

/// The certificate is the Reports document (its text and JSON are rendered there); certify fills it.
public typealias Certificate = CertificateDocument

extension CertifyItem {
    /// A part's result before it is placed on a target and mode. What a failure was detected by,
    /// unless given, is read from its evidence: the invariants it names.
    public init(part: String, status: CertifyStatus, evidence: [String] = [], detectedBy: [String]? = nil) {
        self.init(
            target: "", mode: "", part: part, status: status, evidence: evidence,
            detectedBy: detectedBy ?? (status == .fail ? Self.invariants(in: evidence) : []))
    }

    /// The invariant names that stand as a ": "-separated field of an evidence line.
    static func invariants(in evidence: [String]) -> [String] {
        let names = Set(Invariant.allCases.map(\.rawValue))
        var found: [String] = []
        for line in evidence {
            for field in line.components(separatedBy: ": ") where names.contains(field) && !found.contains(field) {
                found.append(field)
            }
        }
        return found
    }
}

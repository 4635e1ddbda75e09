/// Whether a mode can run on a target.
public enum Applicability: Sendable, Hashable, Codable {
    case applicable
    case notApplicable(String)

    public var isApplicable: Bool {
        if case .applicable = self { return true }
        return false
    }

    public var reason: String? {
        if case .notApplicable(let reason) = self { return reason }
        return nil
    }
}

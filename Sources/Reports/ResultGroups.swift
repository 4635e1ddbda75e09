import Results

/// Results of one clause with one status and the same evidence, wherever they were seen: a
/// reader needs the evidence once, with the target modes it covers (a deviation recorded for
/// every debug mode of nine targets is one entry, not 33 copies of the same 500 characters).
struct ResultGroup: Equatable {
    var clause: String
    var status: ResultStatus
    var evidence: [String]
    /// The target modes it covers, in the matrix's column order.
    var columns: [MatrixColumn]
    /// The command that runs the first of them again (failures only).
    var reproduce: String? = nil

    /// Where it was seen, a line per set of modes: "3.12.1: debug, pymalloc_debug, hooks", and
    /// "3.8.18, 3.9.18: debug, hooks" for targets seen in the same modes. Targets and modes in
    /// column order.
    var coverage: [String] {
        var modes: [String: [String]] = [:]
        var targets: [String] = []
        for column in columns {
            if modes[column.target] == nil { targets.append(column.target) }
            modes[column.target, default: []].append(column.mode)
        }
        var lines: [(targets: [String], modes: [String])] = []
        for target in targets {
            if let line = lines.firstIndex(where: { $0.modes == modes[target] }) {
                lines[line].targets.append(target)
            } else {
                lines.append(([target], modes[target]!))
            }
        }
        return lines.map { "\($0.targets.joined(separator: ", ")): \($0.modes.joined(separator: ", "))" }
    }
}

/// A reason a check did not run on a target, and in how many of its results.
struct ReasonCount: Equatable {
    var reason: String
    var count: Int
}

extension Matrix {
    /// The results of the given statuses grouped by clause, status and evidence: clauses in row
    /// order (those without a row after, as first seen), then in the order first seen.
    func groups(_ statuses: Set<ResultStatus>) -> [ResultGroup] {
        var groups: [ResultGroup] = []
        var index: [GroupKey: Int] = [:]
        for result in resultsInOrder where statuses.contains(result.status) {
            let key = GroupKey(clause: result.clause, status: result.status, evidence: result.evidence)
            let column = MatrixColumn(target: result.target, mode: result.mode)
            if let at = index[key] {
                groups[at].columns.append(column)
            } else {
                index[key] = groups.count
                groups.append(
                    ResultGroup(
                        clause: result.clause, status: result.status, evidence: result.evidence, columns: [column],
                        reproduce: result.reproduce))
            }
        }
        return groups
    }

    /// Why the checks that did not run on `target` did not, most frequent reason first (ties in
    /// the order first seen), each with its count.
    func notApplicableReasons(target: String) -> [ReasonCount] {
        var reasons: [ReasonCount] = []
        var index: [String: Int] = [:]
        for result in resultsInOrder where result.status == .notApplicable && result.target == target {
            let reason = Self.reason(result)
            if let at = index[reason] {
                reasons[at].count += 1
            } else {
                index[reason] = reasons.count
                reasons.append(ReasonCount(reason: reason, count: 1))
            }
        }
        return reasons.enumerated().sorted { ($0.element.count, -$0.offset) > ($1.element.count, -$1.offset) }
            .map(\.element)
    }

    /// A not-applicable result's reason in one line.
    static func reason(_ result: ClauseResult) -> String {
        result.evidence.isEmpty ? "(no reason given)" : result.evidence.joined(separator: "; ")
    }

    /// How many different clauses the groups are of.
    static func clauseCount(_ groups: [ResultGroup]) -> Int { Set(groups.map(\.clause)).count }

    /// Results by row (clause order), then by column: the order a reader finds them in the
    /// matrix. Results outside the rows or columns come after the others, as first seen.
    var resultsInOrder: [ClauseResult] {
        let rowIndex = Dictionary(rows.enumerated().map { ($1.clause, $0) }, uniquingKeysWith: { first, _ in first })
        let columnIndex = Dictionary(columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return results.enumerated().sorted { left, right in
            let a = (rowIndex[left.element.clause] ?? Int.max, left.element.column(in: columnIndex), left.offset)
            let b = (rowIndex[right.element.clause] ?? Int.max, right.element.column(in: columnIndex), right.offset)
            return a < b
        }.map(\.element)
    }
}

extension ClauseResult {
    fileprivate func column(in index: [MatrixColumn: Int]) -> Int {
        index[MatrixColumn(target: target, mode: mode)] ?? Int.max
    }
}

private struct GroupKey: Hashable {
    var clause: String
    var status: ResultStatus
    var evidence: [String]
}

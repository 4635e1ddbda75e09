import Foundation

/// free gives memory back: what a block held can be had again.
extension AllocationChecks {
    /// Rounds of calloc(n, 1) then free of one size, each block zeroed (so its pages are touched);
    /// kept, every block of a size would take 256 MiB: the process may grow by 32 MiB at most.
    static let releaseRounds: [(size: Int, rounds: Int)] = [(262_145, 1_000), (65_537, 4_000)]
    static let releaseAllowance = 32 << 20

    /// The observation is the sizes whose memory stayed ("PyObject_*: 262145 bytes kept").
    public static func freeReleases(_ context: CheckContext) -> CheckVerdict {
        var observed: [String] = []
        let verdict = context.eachDomain { domain, functions, evidence in
            var kept: [Int] = []
            for (size, rounds) in releaseRounds {
                let before = residentBytes()
                for round in 0..<rounds {
                    guard let block = functions.calloc(size, 1) else {
                        return evidence.add("calloc(\(size), 1) returned NULL in round \(round)")
                    }
                    functions.free(block)
                }
                let grown = residentBytes() - before
                if grown > releaseAllowance {
                    evidence.add(
                        "\(rounds) rounds of calloc(\(size), 1) and free grew the process by \(grown >> 20) MiB "
                            + "(at most \(releaseAllowance >> 20) MiB): freed memory was not given back")
                    kept.append(size)
                } else {
                    evidence.exercised(rounds)
                }
            }
            if !kept.isEmpty {
                observed.append(
                    "\(domain.functionPrefix)*: " + kept.map { "\($0) bytes kept" }.joined(separator: ", "))
            }
        }
        return verdict.observing(observed.isEmpty ? nil : observed.joined(separator: "; "))
    }

    /// The process's resident memory (/proc/self/statm), in bytes.
    static func residentBytes() -> Int {
        let fields = ((try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "").split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }
}

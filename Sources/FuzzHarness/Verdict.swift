import Reports

/// What one input did: the findings (none: it conforms) and, where something is worth
/// recording without judging it (a violation without the debug hooks), a note. The replay
/// document holds it as it is.
public typealias Verdict = FindingsDocument

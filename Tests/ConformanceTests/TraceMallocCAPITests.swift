import XCTest

/// tracemalloc C API: Conformance/70-tracemalloc-c-api.yaml.
final class TraceMallocCAPITests: XCTestCase {
    /// tracemalloc.track.disabled: PyTraceMalloc_Track and PyTraceMalloc_Untrack return -2 when tracemalloc is
    /// disabled.
    func test_tracemalloc_track_disabled() throws { try conform("tracemalloc.track.disabled") }

    /// tracemalloc.track.success: PyTraceMalloc_Track returns 0 on success, and the block shows in tracemalloc's
    /// traces.
    func test_tracemalloc_track_success() throws { try conform("tracemalloc.track.success") }

    /// tracemalloc.track.update: Tracking a block that is already tracked updates the existing trace.
    func test_tracemalloc_track_update() throws { try conform("tracemalloc.track.update") }

    /// tracemalloc.untrack.tracked: PyTraceMalloc_Untrack returns 0 and removes the trace of a tracked block.
    func test_tracemalloc_untrack_tracked() throws { try conform("tracemalloc.untrack.tracked") }

    /// tracemalloc.untrack.untracked: Untracking a block that was not tracked does nothing and returns 0.
    func test_tracemalloc_untrack_untracked() throws { try conform("tracemalloc.untrack.untracked") }

    /// tracemalloc.track.no-memory: PyTraceMalloc_Track returns -1 when its trace cannot be stored.
    func test_tracemalloc_track_no_memory() throws { try conform("tracemalloc.track.no-memory") }

    /// tracemalloc.track.threads-while-starting-stopping: Track and Untrack from threads without the GIL while
    /// tracemalloc starts and stops: each call sees it tracing (0) or off (-2).
    func test_tracemalloc_track_threads_while_starting_stopping() throws {
        try conform("tracemalloc.track.threads-while-starting-stopping")
    }

    /// tracemalloc.not-tracing-needs-no-gil: from 3.14, Track and Untrack answer -2 without the GIL while tracemalloc
    /// does not trace.
    func test_tracemalloc_not_tracing_needs_no_gil() throws { try conform("tracemalloc.not-tracing-needs-no-gil") }

    /// tracemalloc.untrack.needs-no-gil: from 3.14, Untrack answers without the GIL while tracing.
    func test_tracemalloc_untrack_needs_no_gil() throws { try conform("tracemalloc.untrack.needs-no-gil") }

    /// tracemalloc.track.needs-no-gil: from 3.15, Track answers without the GIL while tracing.
    func test_tracemalloc_track_needs_no_gil() throws { try conform("tracemalloc.track.needs-no-gil") }
}

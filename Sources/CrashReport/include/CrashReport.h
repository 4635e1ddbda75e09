// What a pymemcheck process was doing when it crashed, said by the process itself: the
// allocator call each thread is in (or made last), and a handler for the crash signals that
// prints it in one line on standard error before the process dies of the signal. A parent
// reads that line (ChildOutcome.crash) and names the call, the thread and the faulting
// address in its report, instead of only the signal.
#ifndef PYMEMCHECK_CRASH_REPORT_H
#define PYMEMCHECK_CRASH_REPORT_H

#include <stddef.h>
#include <stdint.h>

/// The functions of an allocator call, as PMCCall.function holds them.
typedef enum {
    PMC_CALL_MALLOC = 1,
    PMC_CALL_CALLOC = 2,
    PMC_CALL_REALLOC = 3,
    PMC_CALL_FREE = 4
} PMCCallFunction;

/// One thread's allocator call: in progress (`active`), or the last one made and its result.
typedef struct {
    int active;
    int domain;             // 0 RAW, 1 MEM, 2 OBJ; -1: a plugin's function called directly
    int function;           // PMCCallFunction, 0 when no call was made yet
    int direct;             // 1: the plugin's function itself, 0: the domain's API function
    size_t first, second;   // malloc size; calloc nelem, elsize; realloc new size
    const void *pointer;    // realloc and free: the block passed in
    const void *result;     // the block returned (once the call is over)
} PMCCall;

/// The calling thread's call record (thread-local; defined in CrashReport.c).
PMCCall *pmc_current_call(void);

/// Says a call is about to be made: cheap (a few stores), made before every allocator call
/// pymemcheck makes, so that a crash inside it is laid at its door.
static inline void pmc_call_begin(int domain, int direct, int function, size_t first, size_t second,
                                  const void *pointer) {
    PMCCall *call = pmc_current_call();
    call->domain = domain;
    call->direct = direct;
    call->function = function;
    call->first = first;
    call->second = second;
    call->pointer = pointer;
    call->result = 0;
    call->active = 1;
}

/// Says the call returned `result`.
static inline void pmc_call_end(const void *result) {
    PMCCall *call = pmc_current_call();
    call->result = result;
    call->active = 0;
}

/// Sets the op of an input being run (its 1-based index; 0: none), said in the crash line.
/// A store, cheap enough for every op of the fuzz loop.
void pmc_set_op(int index);

/// Installs the handler for SIGSEGV, SIGBUS, SIGILL and SIGFPE (on an alternate stack, in
/// every thread that has one; the main thread gets one here). After printing, the handler
/// puts the default action back and returns, so the process dies of the same signal.
void pmc_crash_report_install(void);

/// Whether pmc_crash_report_install was called (a forked child re-installs it after
/// resetting its signals).
int pmc_crash_report_installed(void);

/// The prefix of the line the handler prints.
#define PMC_CRASH_PREFIX "pymemcheck crash: "

#endif

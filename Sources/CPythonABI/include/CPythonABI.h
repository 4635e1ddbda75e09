// The parts of CPython's C ABI that pymemcheck needs, declared without Python.h so that one
// binary can drive every CPython from 3.6 to 3.13. The layouts below are identical across
// those versions (PEP 445 structs, the domain enum, PyStatus from 3.8 on).
#ifndef PYMEMCHECK_CPYTHON_ABI_H
#define PYMEMCHECK_CPYTHON_ABI_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    PMC_DOMAIN_RAW = 0,
    PMC_DOMAIN_MEM = 1,
    PMC_DOMAIN_OBJ = 2
} PMCDomain;

/// CPython's PyMemAllocatorEx.
typedef struct {
    void *ctx;
    void *(*malloc)(void *ctx, size_t size);
    void *(*calloc)(void *ctx, size_t nelem, size_t elsize);
    void *(*realloc)(void *ctx, void *ptr, size_t new_size);
    void (*free)(void *ctx, void *ptr);
} PMCMemAllocatorEx;

/// CPython's PyObjectArenaAllocator. The real argument order of free is (ctx, ptr, size);
/// an older documentation page shows (ctx, size, ptr), which is wrong.
typedef struct {
    void *ctx;
    void *(*alloc)(void *ctx, size_t size);
    void (*free)(void *ctx, void *ptr, size_t size);
} PMCArenaAllocator;

/// CPython's PyStatus (3.8+), 32 bytes, returned by value.
typedef struct {
    int type;            // 0 ok, 1 error, 2 exit
    const char *func;
    const char *err_msg;
    int exitcode;
} PMCStatus;

/// Py_PreInitialize takes a PyPreConfig whose size varies by version; an opaque buffer larger
/// than any of them is filled by PyPreConfig_InitPythonConfig.
typedef struct {
    _Alignas(16) unsigned char bytes[512];
} PMCPreConfigBuffer;

/// Calls a Py_PreInitialize-shaped function. Done in C because the PyStatus return travels
/// through a hidden struct-return pointer, which is the C compiler's job to get right.
PMCStatus pmc_call_preinitialize(void *fn, const PMCPreConfigBuffer *config);

/// Sets PyPreConfig.allocator (a PyMemAllocatorName) in a buffer PyPreConfig_InitPythonConfig filled.
void pmc_preconfig_set_allocator(PMCPreConfigBuffer *config, int allocator);

/// Raises SIGSEGV by writing through a NULL pointer, for tests of crash isolation.
void pmc_crash_with_sigsegv(void);

/// memmem(3), which Glibc declares only under _GNU_SOURCE, out of Swift's reach.
int pmc_contains_bytes(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len);

/* The path of the loaded image (executable or shared library) that holds `address`, or NULL. */
const char *pmc_image_path(const void *address);

/* The bytes the C library's malloc has handed out and not taken back (glibc's mallinfo2). */
size_t pmc_malloc_bytes_in_use(void);

/* The file system type (statfs(2)'s f_type, e.g. 0x9fa0 for /proc) of the file at `path`, or 0
   when statfs fails: sys/vfs.h is out of Swift's Glibc module. */
long pmc_file_system_type(const char *path);


/// The C API the own-GIL interpreter run needs (3.12+), looked up by the caller: each field
/// the address of the CPython function of that name.
typedef struct {
    void *new_interpreter_from_config;   // Py_NewInterpreterFromConfig
    void *end_interpreter;               // Py_EndInterpreter
    void *thread_state_get;              // PyThreadState_Get
    void *thread_state_swap;             // PyThreadState_Swap
    void *thread_state_get_interpreter;  // PyThreadState_GetInterpreter
    void *thread_state_new;              // PyThreadState_New
    void *thread_state_clear;            // PyThreadState_Clear
    void *thread_state_delete_current;   // PyThreadState_DeleteCurrent
    void *eval_save_thread;              // PyEval_SaveThread
    void *eval_restore_thread;           // PyEval_RestoreThread
    void *mem_malloc, *mem_free;         // PyMem_Malloc, PyMem_Free: the calls under test
    void *obj_malloc, *obj_free;         // PyObject_Malloc, PyObject_Free
} PMCInterpreterAPI;

/// Starts `count` interpreters with their own GIL and obmalloc state (PyInterpreterConfig's
/// isolated settings), one thread in each, and has them allocate through MEM and OBJ at once,
/// `rounds` rounds released together by a barrier: blocks of many sizes filled, checked whole
/// while every thread holds its own, compared for overlap across the interpreters, and freed
/// in the interpreter that allocated them; then ends the interpreters. Called holding the
/// main interpreter's GIL; returns holding it. What went wrong goes into `problems`, one line
/// each; the result is how many lines, or -1 when the interpreters could not be made (said
/// in `problems` too).
int pmc_own_gil_interpreters(const PMCInterpreterAPI *api, int count, int rounds, char *problems, size_t capacity);

/// Makes one interpreter with its own GIL and obmalloc state, as pmc_own_gil_interpreters does,
/// and returns it (its PyInterpreterState) without ending it, for a thread of the caller's to
/// work in. Called holding the main interpreter's GIL; returns holding it. NULL when it could
/// not be made, with why in `problem`.
void *pmc_own_gil_interpreter_new(const PMCInterpreterAPI *api, char *problem, size_t capacity);


/// Threads CPython does not know, each running rounds of `round(state, index)` until stopped,
/// counting them (ThreadCrew.c). Never freed: a thread that cannot stop must not find its
/// crew gone.
typedef struct PMCCrew PMCCrew;
typedef void (*PMCCrewRound)(void *state, int index);
PMCCrew *pmc_crew_start(int threads, PMCCrewRound round, void *state);
int pmc_crew_threads(PMCCrew *crew);
/// The fewest rounds any thread has finished.
unsigned long pmc_crew_least_rounds(PMCCrew *crew);
/// Asks the threads to stop (from one of them too).
void pmc_crew_request_stop(PMCCrew *crew);
/// Asks the threads to stop; 1 once every one has (call again to wait).
int pmc_crew_stop(PMCCrew *crew);

/// A crew calling PyMem_RawMalloc and PyMem_RawFree (the addresses given) without the GIL:
/// each round allocates 8 blocks, fills, checks and frees them.
typedef struct PMCRawChurn PMCRawChurn;
PMCRawChurn *pmc_raw_churn_start(void *raw_malloc, void *raw_free, int threads);
PMCCrew *pmc_raw_churn_crew(PMCRawChurn *churn);
/// What the threads found, one line each (empty: nothing).
const char *pmc_raw_churn_problems(PMCRawChurn *churn);
/* The same, copied under the churn's lock into `buffer`, while its threads may still add more. */
void pmc_raw_churn_problems_copy(PMCRawChurn *churn, char *buffer, size_t size);

/// A crew calling PyTraceMalloc_Track and PyTraceMalloc_Untrack (the addresses given) on
/// made-up blocks of domain 424242, counting the results: slot 0 for 0, 1 for -1, 2 for -2,
/// 3 for anything else. ensure and save: PyGILState_Ensure and PyEval_SaveThread, which each
/// thread calls once, first (its first round makes no calls).
typedef struct PMCTrackChurn PMCTrackChurn;
PMCTrackChurn *pmc_track_churn_start(void *track, void *untrack, void *ensure, void *save, int threads);
PMCCrew *pmc_track_churn_crew(PMCTrackChurn *churn);
unsigned long pmc_track_churn_results(PMCTrackChurn *churn, int slot);
/// A Track and an Untrack that succeed whether or not tracemalloc traces (negative controls).
int pmc_track_succeeds_always(unsigned int domain, uintptr_t pointer, size_t size);
int pmc_untrack_succeeds_always(unsigned int domain, uintptr_t pointer);

#endif

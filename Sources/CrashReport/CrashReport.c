#include "CrashReport.h"

#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static __thread PMCCall current_call;
static volatile sig_atomic_t installed;
static volatile sig_atomic_t op_index;

void pmc_set_op(int index) { op_index = index; }

PMCCall *pmc_current_call(void) { return &current_call; }

int pmc_crash_report_installed(void) { return installed; }

// The line is built with async-signal-safe means only: no stdio, no allocation.
typedef struct {
    char text[768];
    size_t length;
} line_buffer;

static void put(line_buffer *line, const char *text) {
    while (*text && line->length < sizeof line->text - 2) line->text[line->length++] = *text++;
}

static void put_unsigned(line_buffer *line, uintptr_t value, int base) {
    char digits[24];
    int count = 0;
    do {
        digits[count++] = "0123456789abcdef"[value % (uintptr_t)base];
        value /= (uintptr_t)base;
    } while (value && count < (int)sizeof digits);
    if (base == 16) put(line, "0x");
    while (count > 0 && line->length < sizeof line->text - 2) line->text[line->length++] = digits[--count];
}

static const char *signal_name(int number) {
    switch (number) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    default: return "a signal";
    }
}

static const char *fault_kind(int number, int code) {
    if (number == SIGSEGV && code == SEGV_MAPERR) return " (address not mapped)";
    if (number == SIGSEGV && code == SEGV_ACCERR) return " (no access: a guard page or a freed block)";
    if (number == SIGILL) return " (a trap: a check in pymemcheck's own code stopped the process)";
    return "";
}

static const char *api_name(int domain, int function) {
    static const char *names[3][4] = {
        {"PyMem_RawMalloc", "PyMem_RawCalloc", "PyMem_RawRealloc", "PyMem_RawFree"},
        {"PyMem_Malloc", "PyMem_Calloc", "PyMem_Realloc", "PyMem_Free"},
        {"PyObject_Malloc", "PyObject_Calloc", "PyObject_Realloc", "PyObject_Free"},
    };
    return domain >= 0 && domain < 3 && function >= 1 && function <= 4 ? names[domain][function - 1] : "?";
}

static void put_call(line_buffer *line, const PMCCall *call) {
    static const char *domains[3] = {"RAW", "MEM", "OBJ"};
    static const char *functions[5] = {"?", "malloc", "calloc", "realloc", "free"};
    int function = call->function >= 1 && call->function <= 4 ? call->function : 0;
    if (call->direct && call->domain >= 0 && call->domain < 3) {
        put(line, "the plugin's ");
        put(line, domains[call->domain]);
        put(line, " ");
        put(line, functions[function]);
        put(line, "(ctx, ");
    } else {
        put(line, api_name(call->domain, function));
        put(line, "(");
    }
    if (function == PMC_CALL_REALLOC || function == PMC_CALL_FREE) {
        put_unsigned(line, (uintptr_t)call->pointer, 16);
        if (function == PMC_CALL_REALLOC) put(line, ", ");
    }
    if (function != PMC_CALL_FREE) put_unsigned(line, call->first, 10);
    if (function == PMC_CALL_CALLOC) {
        put(line, ", ");
        put_unsigned(line, call->second, 10);
    }
    put(line, ")");
}

// Where the faulting address lies against the block the last call returned, when near it.
static void put_block_offset(line_buffer *line, const PMCCall *call, uintptr_t address) {
    uintptr_t block = (uintptr_t)call->result;
    if (!block || address < block || address - block >= (1u << 20)) return;
    put(line, ": the fault is at byte ");
    put_unsigned(line, address - block, 10);
    put(line, " of the block it returned");
}

static void report(int number, siginfo_t *info, void *context) {
    (void)context;
    line_buffer line = {.length = 0};
    const PMCCall *call = &current_call;
    put(&line, PMC_CRASH_PREFIX);
    put(&line, signal_name(number));
    if (number == SIGSEGV || number == SIGBUS) {
        put(&line, " at ");
        put_unsigned(&line, (uintptr_t)info->si_addr, 16);
    }
    put(&line, fault_kind(number, info->si_code));
    long thread = syscall(SYS_gettid);
    put(&line, thread == getpid() ? " in the main thread" : " in another thread (tid ");
    if (thread != getpid()) {
        put_unsigned(&line, (uintptr_t)thread, 10);
        put(&line, ")");
    }
    if (call->function) {
        put(&line, call->active ? ", inside " : ", after ");
        put_call(&line, call);
        if (!call->active) {
            put(&line, " returned ");
            put_unsigned(&line, (uintptr_t)call->result, 16);
            if (number == SIGSEGV || number == SIGBUS) put_block_offset(&line, call, (uintptr_t)info->si_addr);
        }
    } else {
        put(&line, ", in no allocator call of pymemcheck's");
    }
    if (op_index > 0) {
        put(&line, "; at op ");
        put_unsigned(&line, (uintptr_t)op_index, 10);
        put(&line, " of the input");
    }
    line.text[line.length++] = '\n';
    ssize_t ignored = write(2, line.text, line.length);
    (void)ignored;
    signal(number, SIG_DFL);
    // A fault returns to the instruction, which faults again under the default action; a
    // signal sent by kill or raise is sent again.
    if (info->si_code <= 0) raise(number);
}

void pmc_crash_report_install(void) {
    static char alternate[64 * 1024];
    stack_t stack = {.ss_sp = alternate, .ss_size = sizeof alternate, .ss_flags = 0};
    sigaltstack(&stack, NULL);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = report;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    const int numbers[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
    for (size_t index = 0; index < sizeof numbers / sizeof numbers[0]; index++) {
        sigaction(numbers[index], &action, NULL);
    }
    installed = 1;
}

/*
 * The debug hooks' GIL check stops working once a subinterpreter has existed
 * (debug.detect.without-gil-after-subinterpreter). Loads the libpython given, starts it with
 * the debug hooks, calls PyMem_Malloc without the GIL before (argv[2] = "before") or after
 * making and ending a subinterpreter ("after"), as _testcapi.run_in_subinterp makes one.
 * Before: "Fatal Python error: ... called without holding the GIL", as documented. After:
 * 3.6 to 3.11 print "served", 3.12 and 3.13 crash with SIGSEGV inside pymalloc.
 *
 *   cc -o gil-check gil-check-after-subinterpreter.c -ldl
 *   ./gil-check ~/.pyenv/versions/3.13.0/lib/libpython3.13.so after
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 3 || (strcmp(argv[2], "before") && strcmp(argv[2], "after"))) {
        fprintf(stderr, "usage: %s LIBPYTHON before|after\n", argv[0]);
        return 2;
    }
    void *python = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
    if (python == NULL) { fprintf(stderr, "%s\n", dlerror()); return 2; }
    /* The few functions it needs, looked up in the library given (no Python.h needed). */
    typedef void *(*swap_fn)(void *);
    void (*Py_InitializeEx)(int) = (void (*)(int))dlsym(python, "Py_InitializeEx");
    swap_fn PyThreadState_Swap = (swap_fn)dlsym(python, "PyThreadState_Swap");
    void *(*Py_NewInterpreter)(void) = (void *(*)(void))dlsym(python, "Py_NewInterpreter");
    void (*Py_EndInterpreter)(void *) = (void (*)(void *))dlsym(python, "Py_EndInterpreter");
    void *(*PyEval_SaveThread)(void) = (void *(*)(void))dlsym(python, "PyEval_SaveThread");
    void *(*PyMem_Malloc)(size_t) = (void *(*)(size_t))dlsym(python, "PyMem_Malloc");
    void (*PyMem_SetupDebugHooks)(void) = (void (*)(void))dlsym(python, "PyMem_SetupDebugHooks");
    PyMem_SetupDebugHooks();   /* the debug hooks, before start-up: the same on every version */
    Py_InitializeEx(0);
    if (strcmp(argv[2], "after") == 0) {
        void *main_state = PyThreadState_Swap(NULL);
        Py_EndInterpreter(Py_NewInterpreter());
        PyThreadState_Swap(main_state);
    }
    PyEval_SaveThread();   /* the GIL released: the next call must be reported */
    void *block = PyMem_Malloc(16);
    printf("served: PyMem_Malloc(16) without the GIL returned %p, no report\n", block);
    return 0;
}

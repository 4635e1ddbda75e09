/* gil-reliant-cache.c's free lists behind a mutex: thread-safe, correct on every version. */
#define WITH_LOCK 1
#include "gil-reliant-cache.c"

/* The plugin interface is a header (include/pymemcheck_plugin.h); this file only gives the
   target something to compile. */
#include "pymemcheck_plugin.h"

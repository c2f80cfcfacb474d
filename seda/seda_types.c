/* seda/seda_types.c: not written yet. */
#include "config.h"

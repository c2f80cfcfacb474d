/* sae/package.c: not written yet. */
#include "config.h"

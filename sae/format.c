/* sae/format.c: not written yet. */
#include "config.h"

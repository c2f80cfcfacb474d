/* sae/tsa.c: not written yet. */
#include "config.h"

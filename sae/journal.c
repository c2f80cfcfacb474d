/* sae/journal.c: not written yet. */
#include "config.h"

/* sae/rules.c: not written yet. */
#include "config.h"

/* sae/api_units.c: not written yet. */
#include "config.h"

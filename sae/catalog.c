/* sae/catalog.c: not written yet. */
#include "config.h"

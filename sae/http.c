/* sae/http.c: not written yet. */
#include "config.h"

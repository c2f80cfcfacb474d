/* sae/ingest.c: not written yet. */
#include "config.h"

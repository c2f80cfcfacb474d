/* sae/api_ingest.c: not written yet. */
#include "config.h"

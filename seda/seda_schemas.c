/* seda/seda_schemas.c: not written yet. */
#include "config.h"

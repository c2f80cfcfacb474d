/* seda/seda_parse.c: not written yet. */
#include "config.h"

/* sae/api_rules.c: not written yet. */
#include "config.h"

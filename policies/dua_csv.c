/* policies/dua_csv.c: not written yet. */
#include "config.h"

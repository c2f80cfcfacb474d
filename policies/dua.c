/* policies/dua.c: not written yet. */
#include "config.h"

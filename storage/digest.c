/* storage/digest.c: not written yet. */
#include "config.h"

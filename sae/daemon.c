/* sae/daemon.c: not written yet. */
#include "config.h"

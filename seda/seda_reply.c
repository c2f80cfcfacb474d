/* seda/seda_reply.c: not written yet. */
#include "config.h"

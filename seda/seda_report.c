/* seda/seda_report.c: not written yet. */
#include "config.h"

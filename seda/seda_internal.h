/* seda/seda_internal.h: not written yet. */

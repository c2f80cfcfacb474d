/* sae/journal.h: not written yet. */

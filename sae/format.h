/* sae/format.h: not written yet. */

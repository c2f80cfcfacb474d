/* sae/api.h: not written yet. */

/* sae/token.h: not written yet. */

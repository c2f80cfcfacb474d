/* sae/rules.h: not written yet. */

/* sae/config.h: not written yet. */

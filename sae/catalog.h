/* sae/catalog.h: not written yet. */

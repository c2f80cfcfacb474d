/* sae/http.h: not written yet. */

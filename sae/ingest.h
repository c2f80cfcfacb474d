/* sae/ingest.h: not written yet. */

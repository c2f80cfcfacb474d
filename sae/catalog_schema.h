/* sae/catalog_schema.h: not written yet. */

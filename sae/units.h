/*
 * units.h: reading the archive's units as the API and the web interface
 * both show them: the filtered search, one unit with its objects, its
 * declared rules, holds (its own and its ancestors') and history, an
 * object's bytes from a verified copy, and a unit's proof bundle in an
 * unlinked temp file.  Visibility is the caller's token's.
 */
#ifndef SAE_UNITS_H
#define SAE_UNITS_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "sae/err.h"
#include "sae/token.h"

struct sae_daemon;
struct store;
struct store_reader;
struct proof_opts;
struct proof_result;

/* A search; NULL fields do not filter. */
struct units_query {
	const char	*transfer;
	const char	*after;		/* cursor: the last id of the page before */
	const char	*agency;
	const char	*rule;
	const char	*age;
	const char	*end_from;	/* DUA end, "YYYY-MM-DD", inclusive */
	const char	*end_to;
	const char	*title;		/* substring */
	const char	*producer_id;	/* the producer's own id (xml_id), exact */
	long		 limit;		/* 1..1000 */
};

/**
 * units_search(db, who, q, out, err): {"units": [...], "next": ID or null}
 * in *out (caller decrefs): alive units ${who} may see (NULL: all), in
 * archiving order, at most q->limit; "next" is the cursor of the next
 * page when there is one.  Only the filters given enter the SQL, so that
 * the indexes on agency, age and DUA end serve.
 */
int	units_search(sqlite3 *, const struct token_info *,
	    const struct units_query *, json_t **, struct sae_err *);

/**
 * units_json(db, id, who, out, err): unit ${id} as GET /v1/units/ID shows
 * it (any state), in *out (caller decrefs).  SAE_ENOTFOUND when there is
 * no such unit or ${who} may not see it; ${who} NULL sees everything.
 */
int	units_json(sqlite3 *, const char *, const struct token_info *,
	    json_t **, struct sae_err *);

/**
 * units_detail(db, id, out, err): what a unit page adds to units_json, in
 * *out (caller decrefs): "ancestors" (id, title; nearest first),
 * "children" (id, title; at most 100, "more_children" true beyond),
 * "declared_rules" (category, rule, label, duration, measure, start, end,
 * final_action, from: "unit", "ancestor" with "unit", or "transfer"),
 * "inherited_holds" (holds of ancestors, each with "unit"), "current_end",
 * "rule_label" and "rule_duration".
 */
int	units_detail(sqlite3 *, const char *, json_t **, struct sae_err *);

/**
 * units_history(db, id, out, err): unit ${id}'s journal entries with its
 * transfer's own (INGEST), oldest first, as GET /v1/journal?unit=ID: a
 * JSON array in *out (caller decrefs).
 */
int	units_history(sqlite3 *, const char *, json_t **, struct sae_err *);

/* An object opened for reading. */
struct units_object {
	struct store_reader	*reader;	/* caller frees */
	uint64_t		 size;
	char			 mime[128];
	char			 filename[256];	/* as sent, may be "" */
	int			 gone;		/* it left with its unit */
};

/**
 * units_object_open(db, st, who, id, o, err): opens object ${id}'s bytes
 * from a copy whose whole content was checked against its digest first;
 * the next offer's copy is tried when one is unusable (and the operator
 * told in the log), so a corrupt copy is never served.  SAE_ENOTFOUND
 * when there is no such object ${who} may see (o->gone set when it left
 * the archive with its unit), SAE_ECORRUPT when no copy is intact.
 * Reading to the end checks the digest again (store_reader_read).
 */
int	units_object_open(sqlite3 *, struct store *, const struct token_info *,
	    const char *, struct units_object *, struct sae_err *);

/**
 * units_proof(d, db, unit, po, fd, pr, err): builds ${unit}'s proof bundle
 * (proof_build) into an unlinked temp file under the data directory's
 * tmp, whose descriptor, at offset 0, goes to *fd (caller closes), and
 * logs the delivery.  Errors are proof_build's (SAE_ENOTFOUND when
 * po->who may not see the unit).
 */
int	units_proof(struct sae_daemon *, sqlite3 *, const char *,
	    const struct proof_opts *, int *, struct proof_result *,
	    struct sae_err *);

#endif

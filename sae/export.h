/*
 * export.h: reversibility.  Everything a public body needs to leave the
 * archive, in open formats: a BagIt 1.0 bag whose payload holds one SEDA
 * ArchiveTransfer package per transfer (the objects' original bytes, the
 * metadata as received, the unit's history in LogBook), the DUA table as
 * imported, the whole journal with its seals, the TSA certificates, the
 * proofs, and a README.  Read from one snapshot of the catalog, so that
 * ingest may go on; resumable: packages already written are kept.
 */
#ifndef SAE_EXPORT_H
#define SAE_EXPORT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "sae/err.h"

struct sae_config;
struct store;
struct tsa;

/* Which units: all, or those matching every given filter. */
struct export_selection {
	int			 all;
	const char		*agency;
	const char		*rule;
	const char		*age;
	const char * const	*units;
	size_t			 nunits;
};

struct export_progress {
	size_t		packages_done;
	size_t		packages_total;
	uint64_t	bytes;		/* written to the payload so far */
	const char	*step;		/* "packages", "journal", "proofs", "manifests" */
};

typedef void export_progress_fn(void *, const struct export_progress *);

/**
 * export_selection_json(sel): the selection as JSON (for reports and the
 * journal); export_selection_from_json(o, sel, err) reads one back
 * (strings borrowed from ${o}, sel->units allocated: free it).
 */
json_t	*export_selection_json(const struct export_selection *);
int	 export_selection_from_json(json_t *, struct export_selection *,
	    struct sae_err *);

/**
 * export_selected_transfers(db, sel, out, n, units, err): the transfers
 * holding an alive selected unit, in order (free each and the array), and
 * in *units how many units are selected.
 */
int	export_selected_transfers(sqlite3 *, const struct export_selection *,
	    char ***, size_t *, long long *, struct sae_err *);

/**
 * export_run(db, st, tsa, cfg, sel, dir, id, agent, progress, arg,
 * cancel, summary, err): writes the bag into ${dir} (created; when it
 * holds the state of an interrupted export of the same ${id}, the
 * packages already written are kept).  Whole transfers are exported: a
 * selected unit comes with the rest of its tree, whose rules it
 * inherits.  With ${tsa} (NULL: none), each selected unit's proof
 * bundle goes in data/proofs/.  ${cancel} (may be NULL) is polled
 * between packages.  On
 * success the export is journaled (EXPORT) and *summary (caller decrefs)
 * says what was written.
 */
int	export_run(sqlite3 *, struct store *, struct tsa *,
	    const struct sae_config *, const struct export_selection *,
	    const char *, const char *, const char *, export_progress_fn *,
	    void *, int (*)(void *), json_t **, struct sae_err *);

#endif

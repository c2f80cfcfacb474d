/*
 * transfer_out.h: transfers to another archive (intermediate archives
 * going to the public archives service, or a body leaving for another
 * system).  The archive makes SEDA ArchiveTransfer packages with itself
 * as TransferringAgency and marks their units as in transfer (no second
 * transfer, no disposal); the other archive's ArchiveTransferReply then
 * purges them (OK: tombstones, copies deleted, an
 * ArchiveModificationNotification for the producer) or releases them
 * (KO).  Everything is journaled.
 */
#ifndef SAE_TRANSFER_OUT_H
#define SAE_TRANSFER_OUT_H

#include <jansson.h>
#include <sqlite3.h>

#include "sae/err.h"
#include "sae/id.h"

struct sae_config;
struct seda_schemas;
struct store;

/**
 * transfer_out_create(db, st, cfg, selection, dir, agent, id, summary,
 * err): packages the transfers holding the selected units (JSON as for
 * exports) into ${dir}, one MESSAGE-ID.zip each, whole transfers (a unit
 * goes with its tree).  SAE_EEXIST when a unit is already in a transfer
 * or on an open disposal list.  *summary (caller decrefs) lists the
 * packages with their MessageIdentifier.
 */
int	transfer_out_create(sqlite3 *, struct store *,
	    const struct sae_config *, json_t *, const char *, const char *,
	    char[SAE_ID_LEN + 1], json_t **, struct sae_err *);

/**
 * transfer_out_reply(db, st, schemas, cfg, xml, len, dir, agent, summary,
 * err): reads the other archive's ArchiveTransferReply (validated against
 * the XSD) for one of our packages: OK or WARNING purges its units and
 * writes the ArchiveModificationNotification for the producer into
 * ${dir} (NULL: beside the packages sent); KO releases them.  SAE_ENOTFOUND for a reply to no package of
 * ours, SAE_EEXIST for one already answered.
 */
int	transfer_out_reply(sqlite3 *, struct store *,
	    const struct seda_schemas *, const struct sae_config *,
	    const void *, size_t, const char *, const char *, json_t **,
	    struct sae_err *);

#endif

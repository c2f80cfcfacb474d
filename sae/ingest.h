/*
 * ingest.h: the ingest pipeline, from a spooled package to a SEDA reply.
 * It owns the order that makes a crash harmless: objects durable first,
 * then one catalog transaction (transfer, units, objects, copies, journal
 * entries, reply), then the answer.  A refused package leaves only its
 * reply and its journal entry.
 */
#ifndef SAE_INGEST_H
#define SAE_INGEST_H

#include <stdint.h>

#include "sae/buf.h"
#include "sae/conf.h"
#include "sae/err.h"
#include "sae/token.h"

struct catalog;
struct store;
struct seda_schemas;
struct tsa;

/* What every ingest shares; owned by the daemon. */
struct ingest_ctx {
	const struct sae_config		*cfg;
	struct catalog			*catalog;
	struct store			*store;
	const struct seda_schemas	*schemas;
	struct tsa			*tsa;
};

struct ingest_request {
	const char		*spool;		/* the package as received */
	uint64_t		 size;
	unsigned char		 sha256[32];	/* of the package bytes */
	const struct token_info	*producer;
};

struct ingest_result {
	int		http_status;	/* 201 archived, 422 refused, 409 conflict */
	char		transfer_id[32];/* "" when nothing was recorded (409) */
	char		outcome[8];	/* OK, WARNING, KO */
	int		replayed;	/* 1: the same package was received before */
	char		reason[512];	/* first problem, for the log */
	struct sae_buf	reply;		/* the ArchiveTransferReply */
};

/**
 * ingest_run(ctx, req, res, err): checks and archives one package.
 * Returns 0 with ${res} filled whenever there is an answer for the
 * producer (accepted, refused or conflict); -1 only when the archive
 * itself failed (I/O, catalog): then nothing was recorded.  The caller
 * frees res->reply with sae_buf_done.
 */
int	ingest_run(const struct ingest_ctx *, const struct ingest_request *,
	    struct ingest_result *, struct sae_err *);

#endif

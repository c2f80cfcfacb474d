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

/*
 * A package read as it arrives (anything but zip): a thread reads it from a
 * pipe with libarchive and streams each file into the store's temporary
 * files while the body is still coming, so that nothing is written twice.
 */
struct ingest_stream;

/**
 * ingest_stream_start(out, ctx, size, write_fd, err): starts the reader of
 * a package of ${size} bytes; the body is to be written to *write_fd and
 * that fd closed at its end (writes fail with EPIPE once the reader has
 * refused the package: the rest need not be written).
 */
int	ingest_stream_start(struct ingest_stream **,
	    const struct ingest_ctx *, uint64_t, int *, struct sae_err *);

/**
 * ingest_stream_finish(s, req, res, err): once the body is written and
 * its fd closed: waits for the reader, then checks, records and answers as
 * ingest_run does (req->spool is not used).  Frees ${s}.
 */
int	ingest_stream_finish(struct ingest_stream *,
	    const struct ingest_request *, struct ingest_result *,
	    struct sae_err *);

/** ingest_stream_abort(s): NULL-safe; for an upload cut short. Frees ${s}. */
void	ingest_stream_abort(struct ingest_stream *);

#endif

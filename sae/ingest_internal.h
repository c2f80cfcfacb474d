/*
 * ingest_internal.h: what the files of the ingest pipeline share: the
 * state of one package's ingest (struct job) and the steps one file
 * hands to another.  Not for use outside ingest*.c.
 */
#ifndef SAE_INGEST_INTERNAL_H
#define SAE_INGEST_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>
#include <time.h>

#include "sae/buf.h"
#include "sae/format.h"
#include "sae/id.h"
#include "sae/ingest.h"
#include "seda/seda.h"
#include "storage/digest.h"

struct dua_table;
struct package;
struct store_writer;

#define NONE	SIZE_MAX

/* One data object of the manifest and what became of it. */
struct obj {
	const struct seda_object	*so;
	size_t				 entry;		/* index in pkg->entries, or NONE */
	size_t				 next;		/* next object of the same file, or NONE */
	int				 alg;		/* declared algorithm, or -1 */
	unsigned char			 declared[DIGEST_MAX_LEN];
	struct store_writer		*w;
	struct digest_result		 dg;
	uint64_t			 size;
	int				 stored;	/* streamed and matching */
	struct format_result		 fmt;
	char				 id[SAE_ID_LEN + 1];
	char				 sha256[65];
	char				 sha512[129];
};

/* A unit's effective appraisal rule and age (policies/retention.c). */
struct appraisal {
	const char	*rule;		/* the first effective AppraisalRule */
	const char	*start;
	const char	*final;		/* table and package reconciled */
	const char	*age;		/* "current", "intermediate"... */
	char		 end[11];	/* of the DUA, "" when none */
	int		 held;		/* a HoldRule is active today */
	char		 current_end[11];
	char		 hold_end[11];
};

struct job {
	const struct ingest_ctx		*ctx;
	const struct ingest_request	*req;
	struct ingest_result		*res;
	sqlite3				*db;
	struct package			*pkg;
	struct seda_transfer		*tr;
	struct seda_report		 report;
	enum seda_version		 version;
	char				*request_id;
	char				 tid[SAE_ID_LEN + 1];
	char				 now[32];
	const char			*agency;	/* of the units */
	struct obj			*objs;
	size_t				 nobjs;
	size_t				*entry_obj;	/* entry index -> obj index */
	struct dua_table		*rules;
	char				(*unit_ids)[SAE_ID_LEN + 1];
	struct appraisal		*appr;
	int				 meta_warned;
	/* milliseconds spent in each phase, for the debug log */
	double				 t0, t_open, t_check, t_stream,
					 t_store, t_record;
	/* streaming */
	struct format			*fmt;
	unsigned char			*head;
	size_t				 headlen;
	struct sae_buf			 digest_list;
	struct sae_buf			 tsr;
};

static inline double
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}


static inline int
has_ko(const struct job *j)
{
	return j->report.worst == SEDA_KO;
}

/** ingest_record_reason(j): copies the first KO (or WARNING) into res->reason. */
void	ingest_record_reason(struct job *);

/**
 * ingest_record_reply(j, with_units, err): writes the ArchiveTransferReply
 * of the report into res->reply (echoing the units' new ids if asked).
 */
int	ingest_record_reply(struct job *, int, struct sae_err *);

/** ingest_record_refusal(j, err): KO: the reply and one journal entry. */
int	ingest_record_refusal(struct job *, struct sae_err *);

/**
 * ingest_record_acceptance(j, err): OK or WARNING: objects made durable,
 * the digest list time-stamped, then one transaction with the transfer,
 * its units, objects, copies and journal entries.  SAE_EEXIST when the
 * same MessageIdentifier was archived meanwhile.
 */
int	ingest_record_acceptance(struct job *, struct sae_err *);

#endif

/*
 * dua.h: the DUA table (tableau de gestion, the rules referential): rows
 * read from CSV, looked up by id; and the date arithmetic of retention.
 * Pure data: no I/O here, no catalog, no clock.
 */
#ifndef POLICIES_DUA_H
#define POLICIES_DUA_H

#include <stddef.h>

#include "sae/err.h"

enum dua_type {
	DUA_STORAGE = 0,	/* StorageRule: current-use period (DUC) */
	DUA_APPRAISAL,		/* AppraisalRule: DUA */
	DUA_ACCESS,
	DUA_DISSEMINATION,
	DUA_REUSE,
	DUA_CLASSIFICATION,
	DUA_HOLD,
	DUA_NTYPES
};

enum dua_measure {
	DUA_DAY = 0,
	DUA_MONTH,
	DUA_YEAR
};

enum dua_final {
	DUA_FINAL_NONE = 0,	/* the table does not say */
	DUA_KEEP,		/* conservation: definitive archives */
	DUA_DESTROY,		/* élimination, after the visa */
	DUA_SORT		/* tri: the archivist decides unit by unit */
};

struct dua_rule {
	char			*id;		/* RuleId */
	enum dua_type		 type;		/* RuleType */
	char			*value;		/* RuleValue: the label */
	char			*description;	/* RuleDescription, may be "" */
	int			 has_duration;	/* 0: empty duration (HoldRule) */
	int			 unlimited;	/* RuleDuration "unlimited" */
	int			 duration;	/* 0..999 when has_duration && !unlimited */
	enum dua_measure	 measure;	/* RuleMeasurement (Year/YEAR/year...) */
	enum dua_final		 final_action;	/* FinalAction column, if any */
	char			*start_event;	/* StartEvent column, or NULL */
	char			*domain;	/* Domain column, or NULL */
	int			 has_current;	/* optional CurrentDuration/CurrentMeasurement */
	int			 current_duration;
	enum dua_measure	 current_measure;
	int			 line;		/* first line of the row in the file */
};

struct dua_table {
	struct dua_rule	*rules;		/* in file order */
	size_t		 n;
};

/**
 * dua_csv_parse(out, data, len, filename, err): reads a rules table in
 * CSV (RFC 4180: quoted fields may hold commas, quotes and newlines; LF or
 * CRLF; UTF-8, a BOM is skipped).  Columns are found by header name; the
 * six of Vitam's referential are required (RuleId, RuleType, RuleValue,
 * RuleDescription, RuleDuration, RuleMeasurement); FinalAction,
 * StartEvent, Domain, CurrentDuration and CurrentMeasurement are optional;
 * any other column is an error.  Refuses, with "FILE:LINE: reason" in
 * ${err} (SAE_EINVAL), a missing column, a duplicate id, an unknown type,
 * measure or final action, a duration that is not 0..999 or "unlimited",
 * an empty duration outside HoldRule, a FinalAction on a rule type that
 * has none, a malformed row.  Nothing is returned on failure.
 */
int	dua_csv_parse(struct dua_table **, const char *, size_t, const char *,
	    struct sae_err *);

/**
 * dua_csv_write(table, out): writes ${table} as CSV with every column, in
 * a form dua_csv_parse reads back to the same table.  Appends to ${out}.
 */
struct sae_buf;
void	dua_csv_write(const struct dua_table *, struct sae_buf *);

void	dua_table_free(struct dua_table *);

/** dua_table_find(t, id): the row with that id, or NULL. */
const struct dua_rule *dua_table_find(const struct dua_table *, const char *);

/** dua_type_parse(name): "AppraisalRule"... to enum, or -1. */
int		 dua_type_parse(const char *);
const char	*dua_type_name(enum dua_type);
/** dua_measure_parse(name): DAY/MONTH/YEAR in any case, or -1. */
int		 dua_measure_parse(const char *);
const char	*dua_measure_name(enum dua_measure);
/** dua_final_parse(name): Keep/Destroy/Sort in any case, or -1. */
int		 dua_final_parse(const char *);
const char	*dua_final_name(enum dua_final);

/**
 * dua_date_add(start, n, measure, out, err): ${start} ("YYYY-MM-DD") plus
 * ${n} days, months or years, into ${out} ("YYYY-MM-DD").  When the day
 * does not exist in the target month (29 February plus one year, 31 March
 * plus one month) the result is the last day of that month, as Java's
 * plusYears/plusMonths do (Vitam).  Fails on a malformed or impossible
 * ${start} or a result past 9999.
 */
int	dua_date_add(const char *, int, enum dua_measure, char[11],
	    struct sae_err *);

/** dua_date_valid(s): 1 if ${s} is a real calendar date "YYYY-MM-DD". */
int	dua_date_valid(const char *);

#endif

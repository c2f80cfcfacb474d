/*
 * dua_csv.c: reads a DUA table (rules referential) from CSV with libcsv,
 * checking every row and naming FILE:LINE in each refusal; and writes a
 * table back as CSV into a sae_buf.  Touches only memory: no I/O, no log.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#include "policies/dua.h"
#include "sae/buf.h"
#include "sae/xmalloc.h"

enum col {
	C_ID = 0,
	C_TYPE,
	C_VALUE,
	C_DESC,
	C_DUR,
	C_MEAS,
	C_REQUIRED,		/* the six above are Vitam's, and required */
	C_FINAL = C_REQUIRED,
	C_START,
	C_DOMAIN,
	C_CURDUR,
	C_CURMEAS,
	C_NCOLS
};

static const char *const col_names[C_NCOLS] = {
	"RuleId", "RuleType", "RuleValue", "RuleDescription", "RuleDuration",
	"RuleMeasurement", "FinalAction", "StartEvent", "Domain",
	"CurrentDuration", "CurrentMeasurement"
};

struct reader {
	const char		*file;
	struct sae_err		*err;
	int			 failed;
	int			 line;		/* of the byte being fed */
	int			 row_line;	/* first line of this row */
	int			 row_ended;
	int			 header_done;
	int			 pos[C_NCOLS];	/* field index, or -1 */
	size_t			 ncols;		/* fields in the header */
	char			**fields;	/* the current row */
	size_t			 nf, capf;
	size_t			 nextra;	/* fields past ncols */
	struct dua_table	*t;
	size_t			 cap;
};

/* Quoted names are cut so that one message stays one readable line. */
#define Q	"'%.80s'"

static int	fail(struct reader *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Records "FILE:LINE: message" and stops the reading.  Returns -1. */
static int
fail(struct reader *r, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	r->failed = 1;
	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	return sae_err_set(r->err, SAE_EINVAL, "%s:%d: %s", r->file, line,
	    msg);
}

static void
row_clear(struct reader *r)
{
	size_t i;

	for (i = 0; i < r->nf; i++)
		free(r->fields[i]);
	r->nf = 0;
	r->nextra = 0;
}

static void
on_field(void *p, size_t len, void *data)
{
	struct reader *r = data;
	const char *s = p;

	if (r->failed)
		return;
	/* Only CSV_EMPTY_IS_NULL should give NULL; do not trust that. */
	if (s == NULL)
		s = "";
	if (strlen(s) != len) {
		fail(r, r->row_line, "field %zu of the row holds a NUL byte.",
		    r->nf + r->nextra + 1);
		return;
	}
	/* A row longer than the header is refused at its end; do not
	 * keep thousands of stray fields until then. */
	if (r->header_done && r->nf >= r->ncols) {
		r->nextra++;
		return;
	}
	if (!r->header_done && r->nf >= C_NCOLS * 2) {
		fail(r, r->row_line, "the header has too many columns.");
		return;
	}
	if (r->nf == r->capf) {
		r->capf = r->capf ? r->capf * 2 : 16;
		r->fields = sae_xreallocarray(r->fields, r->capf,
		    sizeof(*r->fields));
	}
	r->fields[r->nf++] = sae_xstrndup(s, len);
}

static int
header(struct reader *r)
{
	size_t i;
	int c;

	for (c = 0; c < C_NCOLS; c++)
		r->pos[c] = -1;
	for (i = 0; i < r->nf; i++) {
		for (c = 0; c < C_NCOLS; c++)
			if (strcmp(r->fields[i], col_names[c]) == 0)
				break;
		if (c == C_NCOLS)
			return fail(r, r->row_line, "unknown column " Q " in "
			    "the header (expected RuleId, RuleType, RuleValue, "
			    "RuleDescription, RuleDuration, RuleMeasurement, "
			    "and optionally FinalAction, StartEvent, Domain, "
			    "CurrentDuration, CurrentMeasurement).",
			    r->fields[i]);
		if (r->pos[c] != -1)
			return fail(r, r->row_line, "the column " Q " appears "
			    "twice in the header.", col_names[c]);
		r->pos[c] = (int)i;
	}
	for (c = 0; c < C_REQUIRED; c++)
		if (r->pos[c] == -1)
			return fail(r, r->row_line, "the required column " Q
			    " is missing from the header.", col_names[c]);
	if ((r->pos[C_CURDUR] == -1) != (r->pos[C_CURMEAS] == -1))
		return fail(r, r->row_line, "the columns CurrentDuration and "
		    "CurrentMeasurement go together; only one is present.");
	r->ncols = r->nf;
	r->header_done = 1;
	return 0;
}

/* The field of column ${c} in the current row; "" if the column is absent. */
static const char *
field(const struct reader *r, enum col c)
{
	return r->pos[c] == -1 ? "" : r->fields[r->pos[c]];
}

/* 0..999 into *n, 1 for "unlimited" (when allowed), -1 otherwise. */
static int
duration(const char *s, int *n, int allow_unlimited)
{
	size_t i, len = strlen(s);

	if (allow_unlimited && strcasecmp(s, "unlimited") == 0)
		return 1;
	if (len == 0 || len > 3)
		return -1;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	*n = atoi(s);
	return 0;
}

static int
check_id(struct reader *r, const char *id)
{
	const unsigned char *p;
	size_t i;

	if (*id == '\0')
		return fail(r, r->row_line, "the RuleId is empty.");
	for (p = (const unsigned char *)id; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return fail(r, r->row_line, "the RuleId " Q " holds a "
			    "control character.", id);
	for (i = 0; i < r->t->n; i++)
		if (strcmp(r->t->rules[i].id, id) == 0)
			return fail(r, r->row_line, "the RuleId " Q " is "
			    "already used on line %d; ids must be unique.",
			    id, r->t->rules[i].line);
	return 0;
}

/* Which final actions a rule type may carry in a DUA table. */
static int
final_allowed(enum dua_type type, enum dua_final f)
{
	/* Keep/Destroy/Sort are the fate at the end of the DUA: they mean
	 * something for an AppraisalRule only. */
	return f == DUA_FINAL_NONE || type == DUA_APPRAISAL;
}

static int
rule_row(struct reader *r)
{
	struct dua_rule *ru;
	const char *s;
	int type, meas, fin, n = 0, u;

	if (r->nf + r->nextra != r->ncols)
		return fail(r, r->row_line, "the row has %zu fields but the "
		    "header has %zu.", r->nf + r->nextra, r->ncols);
	if (check_id(r, field(r, C_ID)) == -1)
		return -1;
	if ((type = dua_type_parse(field(r, C_TYPE))) == -1)
		return fail(r, r->row_line, "the RuleType " Q " is not one of "
		    "StorageRule, AppraisalRule, AccessRule, "
		    "DisseminationRule, ReuseRule, ClassificationRule, "
		    "HoldRule.", field(r, C_TYPE));
	if (*field(r, C_VALUE) == '\0')
		return fail(r, r->row_line, "the RuleValue (the label of "
		    "rule " Q ") is empty.", field(r, C_ID));

	if (r->t->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->t->rules = sae_xreallocarray(r->t->rules, r->cap,
		    sizeof(*r->t->rules));
	}
	ru = &r->t->rules[r->t->n];
	memset(ru, 0, sizeof(*ru));
	ru->line = r->row_line;
	ru->type = type;
	ru->measure = DUA_YEAR;

	s = field(r, C_DUR);
	if (*s == '\0') {
		if (type != DUA_HOLD)
			return fail(r, r->row_line, "the RuleDuration is "
			    "empty; only a HoldRule may have no duration.");
		/* No duration: a measurement, if any, measures nothing. */
		if (*field(r, C_MEAS) != '\0' &&
		    dua_measure_parse(field(r, C_MEAS)) == -1)
			return fail(r, r->row_line, "the RuleMeasurement " Q
			    " is not DAY, MONTH or YEAR.", field(r, C_MEAS));
	} else {
		if ((u = duration(s, &n, 1)) == -1)
			return fail(r, r->row_line, "the RuleDuration " Q " is "
			    "neither a whole number from 0 to 999 nor "
			    "'unlimited'.", s);
		ru->has_duration = 1;
		ru->unlimited = u;
		ru->duration = u ? 0 : n;
		s = field(r, C_MEAS);
		if (*s == '\0' && !u)
			return fail(r, r->row_line, "the RuleMeasurement is "
			    "empty; say DAY, MONTH or YEAR.");
		if (*s != '\0') {
			if ((meas = dua_measure_parse(s)) == -1)
				return fail(r, r->row_line, "the "
				    "RuleMeasurement " Q " is not DAY, MONTH "
				    "or YEAR.", s);
			ru->measure = meas;
		}
	}

	s = field(r, C_FINAL);
	if (*s != '\0') {
		if ((fin = dua_final_parse(s)) == -1)
			return fail(r, r->row_line, "the FinalAction " Q " is "
			    "not Keep, Destroy or Sort (the final actions of a "
			    "StorageRule travel in the SIP, not in the DUA "
			    "table).", s);
		if (!final_allowed(type, fin))
			return fail(r, r->row_line, "a FinalAction (" Q ") "
			    "only applies to an AppraisalRule, and this rule "
			    "is a %s.", s, dua_type_name(type));
		ru->final_action = fin;
	}

	if (r->pos[C_CURDUR] != -1 && *field(r, C_CURDUR) != '\0') {
		if (duration(field(r, C_CURDUR), &n, 0) == -1)
			return fail(r, r->row_line, "the CurrentDuration " Q
			    " is not a whole number from 0 to 999.",
			    field(r, C_CURDUR));
		if ((meas = dua_measure_parse(field(r, C_CURMEAS))) == -1)
			return fail(r, r->row_line, "the CurrentMeasurement "
			    Q " is not DAY, MONTH or YEAR.",
			    field(r, C_CURMEAS));
		ru->has_current = 1;
		ru->current_duration = n;
		ru->current_measure = meas;
	}

	/* Everything is checked: only now does the row join the table, so
	 * that dua_table_free never sees a half-filled rule. */
	ru->id = sae_xstrdup(field(r, C_ID));
	ru->value = sae_xstrdup(field(r, C_VALUE));
	ru->description = sae_xstrdup(field(r, C_DESC));
	/* Absent and empty are the same, so a written table reads back
	 * equal. */
	if (*field(r, C_START) != '\0')
		ru->start_event = sae_xstrdup(field(r, C_START));
	if (*field(r, C_DOMAIN) != '\0')
		ru->domain = sae_xstrdup(field(r, C_DOMAIN));
	r->t->n++;
	return 0;
}

static void
on_row(int c, void *data)
{
	struct reader *r = data;

	(void)c;
	r->row_ended = 1;
	if (r->failed)
		return;
	if (!r->header_done)
		(void)header(r);
	else
		(void)rule_row(r);
	row_clear(r);
}

/* Line of the next byte that starts a row: libcsv skips blank lines and
 * leading blanks before a row. */
static int
next_row_line(const char *p, size_t len, int line)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] == '\n')
			line++;
		else if (p[i] != '\r' && p[i] != ' ' && p[i] != '\t')
			break;
	}
	return line;
}

int
dua_csv_parse(struct dua_table **out, const char *data, size_t len,
    const char *filename, struct sae_err *err)
{
	struct csv_parser p;
	struct reader r;
	size_t off = 0, seg, i;
	int ret = -1, need_start = 1;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.file = filename != NULL ? filename : "(table)";
	r.err = err;
	r.line = 1;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return sae_err_set(err, SAE_ENOMEM, "%s: cannot start the CSV "
		    "reader.", r.file);
	r.t = sae_xcalloc(1, sizeof(*r.t));

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		off = 3;
	/* Feed one line at a time (up to each CR or LF) so that the line
	 * number of every row and every error is known. */
	while (off < len && !r.failed) {
		if (need_start) {
			r.row_line = next_row_line(data + off, len - off,
			    r.line);
			need_start = 0;
		}
		for (seg = 0; off + seg < len; seg++)
			if (data[off + seg] == '\n' ||
			    data[off + seg] == '\r') {
				seg++;
				break;
			}
		r.row_ended = 0;
		if (csv_parse(&p, data + off, seg, on_field, on_row, &r) !=
		    seg && !r.failed) {
			fail(&r, r.line, "%s.", csv_error(&p) == CSV_EPARSE ?
			    "malformed CSV: a quote inside an unquoted field, "
			    "or text after a closing quote" :
			    csv_strerror(csv_error(&p)));
			break;
		}
		for (i = 0; i < seg; i++)
			if (data[off + i] == '\n')
				r.line++;
		off += seg;
		if (r.row_ended)
			need_start = 1;
	}
	if (!r.failed && csv_fini(&p, on_field, on_row, &r) != 0 && !r.failed)
		fail(&r, r.row_line, "a quoted field opened on this row is "
		    "never closed.");
	if (r.failed)
		goto out;
	if (!r.header_done) {
		sae_err_set(err, SAE_EINVAL, "%s:1: the file is empty; a DUA "
		    "table starts with a header line (RuleId,RuleType,...).",
		    r.file);
		goto out;
	}
	if (r.t->n == 0) {
		sae_err_set(err, SAE_EINVAL, "%s:%d: the table has a header "
		    "but no rules; an empty DUA table is almost certainly a "
		    "mistake.", r.file, r.line);
		goto out;
	}
	*out = r.t;
	r.t = NULL;
	ret = 0;
out:
	row_clear(&r);
	free(r.fields);
	csv_free(&p);
	dua_table_free(r.t);
	return ret;
}

/* ------------------------------------------------------------ writer */

static void
put(struct sae_buf *b, const char *s, int last)
{
	size_t len = s != NULL ? strlen(s) : 0;

	/* libcsv drops blanks around unquoted fields: quote those too. */
	if (len > 0 && (strpbrk(s, ",\"\r\n") != NULL || s[0] == ' ' ||
	    s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t')) {
		sae_buf_addc(b, '"');
		for (; *s != '\0'; s++) {
			if (*s == '"')
				sae_buf_addc(b, '"');
			sae_buf_addc(b, *s);
		}
		sae_buf_addc(b, '"');
	} else if (len > 0)
		sae_buf_add(b, s, len);
	sae_buf_addc(b, last ? '\n' : ',');
}

void
dua_csv_write(const struct dua_table *t, struct sae_buf *b)
{
	const struct dua_rule *ru;
	char num[16];
	size_t i;
	int c;

	for (c = 0; c < C_NCOLS; c++)
		put(b, col_names[c], c == C_NCOLS - 1);
	for (i = 0; t != NULL && i < t->n; i++) {
		ru = &t->rules[i];
		put(b, ru->id, 0);
		put(b, dua_type_name(ru->type), 0);
		put(b, ru->value, 0);
		put(b, ru->description, 0);
		if (!ru->has_duration)
			num[0] = '\0';
		else if (snprintf(num, sizeof(num), "%d", ru->duration) < 0)
			num[0] = '\0';
		put(b, !ru->has_duration ? "" : ru->unlimited ? "unlimited" :
		    num, 0);
		put(b, ru->has_duration ? dua_measure_name(ru->measure) : "",
		    0);
		put(b, dua_final_name(ru->final_action), 0);
		put(b, ru->start_event, 0);
		put(b, ru->domain, 0);
		if (!ru->has_current)
			num[0] = '\0';
		else if (snprintf(num, sizeof(num), "%d",
		    ru->current_duration) < 0)
			num[0] = '\0';
		put(b, num, 0);
		put(b, ru->has_current ?
		    dua_measure_name(ru->current_measure) : "", 1);
	}
}

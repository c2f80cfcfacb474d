/*
 * disposal.c: proposing disposal lists and deciding on them (approval with
 * a visa and exclusions, rejection, an archivist's keep-or-destroy on a
 * unit under review), and reading lists back.  Reads the catalog's units,
 * holds and tree; writes the disposal tables and the journal.  Carrying
 * out approved lists is disposal_exec.c's job.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>

#include "sae/ages.h"
#include "sae/buf.h"
#include "sae/catalog.h"
#include "sae/conf.h"
#include "sae/disposal.h"
#include "sae/disposal_internal.h"
#include "sae/id.h"
#include "sae/journal.h"
#include "sae/xmalloc.h"
#include "seda/seda.h"

/* Lines of a list that still stand for destruction. */
#define OPEN_LINES \
	"SELECT l.unit FROM disposal_line l JOIN disposal d ON " \
	"d.seq = l.disposal WHERE d.state IN ('proposed','approved'," \
	"'executing') AND l.excluded = 0 AND l.outcome IS NULL"

static int
step_done(sqlite3 *db, sqlite3_stmt *st, const char *what,
    struct sae_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return catalog_fail(err, db, what);
	return 0;
}

/*
 * A unit whose descendant is not eligible cannot go (it would leave an
 * orphan to keep): blocked spreads from children to parents, over the
 * edges whose parent is a candidate.  Candidates are sorted by seq.
 */
struct cands {
	long long	*seq;
	char		*blocked;
	size_t		 n;
};

static long long
cand_find(const struct cands *c, long long seq)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->seq[mid] == seq)
			return (long long)mid;
		if (c->seq[mid] < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int
block_parents_of_kept(sqlite3 *db, struct sae_err *err)
{
	struct cands c = { NULL, NULL, 0 };
	long long (*edge)[2] = NULL;
	size_t ne = 0, cap = 0, cc = 0, i;
	sqlite3_stmt *st;
	int rc, changed, ret = -1;

	if ((st = catalog_prepare(db, "SELECT seq, keep FROM temp.cand ORDER "
	    "BY seq", err)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (c.n == cc) {
			cc = cc ? cc * 2 : 1024;
			c.seq = sae_xreallocarray(c.seq, cc, sizeof(*c.seq));
			c.blocked = sae_xreallocarray(c.blocked, cc, 1);
		}
		c.seq[c.n] = sqlite3_column_int64(st, 0);
		c.blocked[c.n++] = (char)sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		catalog_fail(err, db, "disposal candidates");
		goto out;
	}
	if ((st = catalog_prepare(db, "SELECT p.parent, p.unit FROM unit_parent "
	    "p JOIN temp.cand c ON c.seq = p.parent", err)) == NULL)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long pi = cand_find(&c, sqlite3_column_int64(st, 0));
		long long ci = cand_find(&c, sqlite3_column_int64(st, 1));

		if (pi < 0)
			continue;
		if (ci < 0) {	/* a child that is not going: keep the parent */
			c.blocked[pi] = 1;
			continue;
		}
		if (ne == cap) {
			cap = cap ? cap * 2 : 1024;
			edge = sae_xreallocarray(edge, cap, sizeof(*edge));
		}
		edge[ne][0] = pi;
		edge[ne++][1] = ci;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		catalog_fail(err, db, "disposal tree");
		goto out;
	}
	/* Trees are shallow (max_depth): a few passes reach the fixpoint. */
	do {
		changed = 0;
		for (i = 0; i < ne; i++)
			if (c.blocked[edge[i][1]] && !c.blocked[edge[i][0]]) {
				c.blocked[edge[i][0]] = 1;
				changed = 1;
			}
	} while (changed);
	if ((st = catalog_prepare(db, "UPDATE temp.cand SET keep = 1 WHERE "
	    "seq = ? AND keep = 0", err)) == NULL)
		goto out;
	for (i = 0; i < c.n; i++) {
		if (!c.blocked[i])
			continue;
		sqlite3_bind_int64(st, 1, c.seq[i]);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			catalog_fail(err, db, "disposal blocked");
			goto out;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	ret = 0;
out:
	free(c.seq);
	free(c.blocked);
	free(edge);
	return ret;
}

/* Fills temp.cand with the eligible units (keep = 0) and the others. */
static int
find_eligible(sqlite3 *db, const char *today, struct sae_err *err)
{
	sqlite3_stmt *st;

	if (catalog_exec(db, "DROP TABLE IF EXISTS temp.cand; CREATE TEMP "
	    "TABLE cand (seq INTEGER PRIMARY KEY, keep INTEGER NOT NULL "
	    "DEFAULT 0); INSERT INTO temp.cand (seq) SELECT seq FROM unit "
	    "WHERE age = 'disposal' AND state = 'alive' AND seq NOT IN ("
	    OPEN_LINES ") AND seq NOT IN (SELECT unit FROM outgoing_unit)",
	    err) == -1)
		return -1;
	/* A hold, an archivist's or a package's, protects the unit, its
	 * ancestors and its descendants. */
	st = catalog_prepare(db, "WITH RECURSIVE held(s) AS (SELECT unit FROM "
	    "hold WHERE lifted IS NULL AND (until IS NULL OR until > ?1) "
	    "UNION SELECT seq FROM unit WHERE held = 1 AND state = 'alive'), "
	    "up(s) AS (SELECT s FROM held UNION SELECT p.parent FROM "
	    "unit_parent p JOIN up ON p.unit = up.s), "
	    "down(s) AS (SELECT s FROM held UNION SELECT p.unit FROM "
	    "unit_parent p JOIN down ON p.parent = down.s) "
	    "UPDATE temp.cand SET keep = 1 WHERE seq IN (SELECT s FROM up "
	    "UNION SELECT s FROM down)", err);
	if (st == NULL)
		return -1;
	catalog_bind_text(st, 1, today);
	if (step_done(db, st, "disposal holds", err) == -1)
		return -1;
	return block_parents_of_kept(db, err);
}

static enum seda_version
version_of(const char *name)
{
	enum seda_version v;

	for (v = SEDA_V21; v < SEDA_NVERSIONS; v++)
		if (name != NULL && !strcmp(name, seda_version_name(v)))
			return v;
	return SEDA_V21;
}

int
disposal_line_ids(sqlite3 *db, long long list, const char *where, char ***ids,
    size_t *n, struct sae_err *err)
{
	char sql[512];
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	snprintf(sql, sizeof(sql), "SELECT u.id FROM disposal_line l JOIN unit "
	    "u ON u.seq = l.unit WHERE l.disposal = ? %s ORDER BY u.seq",
	    where);
	if ((st = catalog_prepare(db, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, list);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			*ids = sae_xreallocarray(*ids, cap, sizeof(**ids));
		}
		(*ids)[(*n)++] = sae_xstrdup(catalog_text(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, "disposal lines");
	return 0;
}

void
disposal_ids_free(char **ids, size_t n)
{
	while (n > 0)
		free(ids[--n]);
	free(ids);
}

/* The request to the control authority, frozen with the list. */
static int
write_request(sqlite3 *db, const struct sae_config *cfg, long long list,
    const char *id, const char *agency, const char *today, size_t nunits,
    struct sae_buf *xml, struct sae_err *err)
{
	struct seda_disposal_msg m;
	char mid[64], now[32], comment[256], version[8] = "2.1";
	sqlite3_stmt *st;
	char **ids;
	size_t n;
	int rc;

	/* The dialect of the newest package on the list. */
	if ((st = catalog_prepare(db, "SELECT max(t.seda_version) FROM "
	    "disposal_line l JOIN unit u ON u.seq = l.unit JOIN transfer t ON "
	    "t.id = u.transfer WHERE l.disposal = ?", err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, list);
	if (sqlite3_step(st) == SQLITE_ROW && catalog_text(st, 0) != NULL)
		snprintf(version, sizeof(version), "%s", catalog_text(st, 0));
	sqlite3_finalize(st);
	if (disposal_line_ids(db, list, "", &ids, &n, err) == -1)
		return -1;
	snprintf(mid, sizeof(mid), "ACAR-%s", id);
	snprintf(comment, sizeof(comment), "Bordereau d'élimination %s : %zu "
	    "unité(s) d'archives du service producteur %s", id, nunits,
	    agency != NULL ? agency : "non précisé");
	sae_time_now_iso(now);
	memset(&m, 0, sizeof(m));
	m.version = version_of(version);
	m.message_id = mid;
	m.date = now;
	m.comment = comment;
	m.archival_agency = cfg->archival_agency;
	m.units = (const char *const *)ids;
	m.nunits = n;
	m.control_authority = cfg->control_authority;
	m.reason = "Durée d'utilité administrative échue, sort final : "
	    "destruction";
	m.request_date = today;
	m.requester = cfg->archival_agency;
	rc = seda_authorization_request_write(xml, &m, err);
	disposal_ids_free(ids, n);
	return rc;
}

/* One agency's list: lines copied from the units, frozen. */
static int
make_list(sqlite3 *db, const struct sae_config *cfg, const char *agency,
    const char *today, const char *agent, json_t *ids, struct sae_err *err)
{
	struct sae_buf xml = SAE_BUF_INIT;
	char id[SAE_ID_LEN + 1], now[32], hex[65], detail[512], check[64];
	unsigned char md[SHA256_DIGEST_LENGTH];
	long long list, units = 0, objects = 0, bytes = 0;
	struct journal_entry e;
	sqlite3_stmt *st;
	int ret = -1;

	sae_id_new(id);
	sae_time_now_iso(now);
	if ((st = catalog_prepare(db, "INSERT INTO disposal (id, agency, state, "
	    "evaluated, created, created_by, seda_version, request) VALUES "
	    "(?, ?, 'proposed', ?, ?, ?, '', x'')", err)) == NULL)
		return -1;
	catalog_bind_text(st, 1, id);
	catalog_bind_text(st, 2, agency);
	catalog_bind_text(st, 3, today);
	catalog_bind_text(st, 4, now);
	catalog_bind_text(st, 5, agent);
	if (step_done(db, st, "disposal insert", err) == -1)
		return -1;
	list = sqlite3_last_insert_rowid(db);
	snprintf(check, sizeof(check), "aucun gel actif au %s", today);
	st = catalog_prepare(db, "INSERT INTO disposal_line (disposal, unit, "
	    "title, start_date, end_date, rule, rule_label, rule_duration, "
	    "rule_start, rule_end, final_action, objects, bytes, hold_check) "
	    "SELECT ?1, u.seq, u.title, u.start_date, u.end_date, u.rule, "
	    "r.value, CASE WHEN r.unlimited THEN 'unlimited' WHEN r.duration IS "
	    "NULL THEN NULL ELSE r.duration || ' ' || r.measure END, "
	    "u.rule_start, u.rule_end, u.final_action, "
	    "(SELECT count(*) FROM unit_group g JOIN object o ON o.grp = g.grp "
	    "WHERE g.unit = u.seq AND o.physical = 0), "
	    "(SELECT coalesce(sum(o.size), 0) FROM unit_group g JOIN object o "
	    "ON o.grp = g.grp WHERE g.unit = u.seq AND o.physical = 0), ?2 "
	    "FROM temp.cand c JOIN unit u ON u.seq = c.seq LEFT JOIN rule r ON "
	    "r.id = u.rule WHERE c.keep = 0 AND u.agency IS ?3", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, list);
	catalog_bind_text(st, 2, check);
	catalog_bind_text(st, 3, agency);
	if (step_done(db, st, "disposal lines", err) == -1)
		return -1;
	if ((st = catalog_prepare(db, "SELECT count(*), sum(objects), "
	    "sum(bytes) FROM disposal_line WHERE disposal = ?", err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, list);
	if (sqlite3_step(st) == SQLITE_ROW) {
		units = sqlite3_column_int64(st, 0);
		objects = sqlite3_column_int64(st, 1);
		bytes = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (write_request(db, cfg, list, id, agency, today, (size_t)units,
	    &xml, err) == -1)
		goto out;
	if ((st = catalog_prepare(db, "UPDATE disposal SET seda_version = ?, "
	    "request = ? WHERE seq = ?", err)) == NULL)
		goto out;
	{
		char v[8] = "2.1";
		const char *ns = strstr(xml.data, "seda:v");

		if (ns != NULL)
			snprintf(v, sizeof(v), "%.3s", ns + 6);
		catalog_bind_text(st, 1, v);
	}
	sqlite3_bind_blob(st, 2, xml.data, (int)xml.len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, list);
	if (step_done(db, st, "disposal request", err) == -1)
		goto out;
	SHA256((const unsigned char *)xml.data, xml.len, md);
	sae_hex(hex, md, sizeof(md));
	snprintf(detail, sizeof(detail), "{\"disposal\":\"%s\",\"units\":%lld,"
	    "\"objects\":%lld,\"bytes\":%lld,\"request_sha256\":\"%s\"}", id,
	    units, objects, bytes, hex);
	memset(&e, 0, sizeof(e));
	e.type = "DISPOSAL_PROPOSE";
	e.outcome = "OK";
	e.agent = agent;
	e.message = "Bordereau d'élimination proposé";
	e.detail = detail;
	if (journal_append(db, &e, NULL, err) == -1)
		goto out;
	json_array_append_new(ids, json_string(id));
	ret = 0;
out:
	sae_buf_done(&xml);
	return ret;
}

int
disposal_propose(sqlite3 *db, const struct sae_config *cfg,
    const char *today, const char *agent, json_t **ids, struct sae_err *err)
{
	sqlite3_stmt *st = NULL;
	json_t *out = json_array();
	char **agencies = NULL;
	size_t n = 0, cap = 0, i;
	int rc, ret = -1;

	if (catalog_begin(db, err) == -1) {
		json_decref(out);
		return -1;
	}
	if (find_eligible(db, today, err) == -1)
		goto out;
	if ((st = catalog_prepare(db, "SELECT DISTINCT u.agency FROM temp.cand "
	    "c JOIN unit u ON u.seq = c.seq WHERE c.keep = 0 ORDER BY "
	    "u.agency", err)) == NULL)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			agencies = sae_xreallocarray(agencies, cap,
			    sizeof(*agencies));
		}
		agencies[n++] = catalog_text(st, 0) != NULL ?
		    sae_xstrdup(catalog_text(st, 0)) : NULL;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE) {
		catalog_fail(err, db, "disposal agencies");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (make_list(db, cfg, agencies[i], today, agent, out,
		    err) == -1)
			goto out;
	if (catalog_exec(db, "DROP TABLE temp.cand", err) == -1 ||
	    catalog_commit(db, err) == -1)
		goto out;
	*ids = out;
	out = NULL;
	ret = 0;
out:
	if (ret == -1) {
		catalog_rollback(db);
		catalog_exec(db, "DROP TABLE IF EXISTS temp.cand", NULL);
	}
	for (i = 0; i < n; i++)
		free(agencies[i]);
	free(agencies);
	json_decref(out);
	return ret;
}

#define LIST_COLUMNS \
	"d.id, d.agency, d.state, d.evaluated, d.created, d.created_by, " \
	"d.decided, d.decided_by, d.visa, d.comment, d.reason, d.due, " \
	"d.executed, d.seda_version, (SELECT count(*) FROM disposal_line l " \
	"WHERE l.disposal = d.seq) AS units, (SELECT coalesce(sum(objects), 0)" \
	" FROM disposal_line l WHERE l.disposal = d.seq) AS objects, (SELECT " \
	"coalesce(sum(bytes), 0) FROM disposal_line l WHERE l.disposal = " \
	"d.seq) AS bytes, (SELECT count(*) FROM disposal_line l WHERE " \
	"l.disposal = d.seq AND l.excluded = 1) AS excluded, (SELECT count(*)" \
	" FROM disposal_line l WHERE l.disposal = d.seq AND l.outcome = " \
	"'destroyed') AS destroyed, (SELECT count(*) FROM disposal_line l " \
	"WHERE l.disposal = d.seq AND l.outcome = 'kept') AS kept"

int
disposal_list(sqlite3 *db, json_t **out, struct sae_err *err)
{
	sqlite3_stmt *st;
	json_t *a = json_array();
	int rc;

	if ((st = catalog_prepare(db, "SELECT " LIST_COLUMNS " FROM disposal d "
	    "ORDER BY d.seq DESC", err)) == NULL) {
		json_decref(a);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(a, catalog_row_json(st));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		return catalog_fail(err, db, "disposal list");
	}
	*out = a;
	return 0;
}

int
disposal_get_page(sqlite3 *db, const char *id, const char *after,
    size_t limit, json_t **out, struct sae_err *err)
{
	sqlite3_stmt *st;
	json_t *o = NULL, *lines;
	size_t n = 0;
	int rc;

	if ((st = catalog_prepare(db, "SELECT " LIST_COLUMNS ", d.seq FROM "
	    "disposal d WHERE d.id = ?", err)) == NULL)
		return -1;
	catalog_bind_text(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		o = catalog_row_json(st);
	sqlite3_finalize(st);
	if (o == NULL)
		return rc == SQLITE_DONE ? sae_err_set(err, SAE_ENOTFOUND,
		    "no disposal list '%s'", id) :
		    catalog_fail(err, db, "disposal get");
	/* One row past the page says whether there is another. */
	if ((st = catalog_prepare(db, "SELECT u.id, u.xml_id, u.transfer, "
	    "l.title, l.start_date, l.end_date, l.rule, l.rule_label, "
	    "l.rule_duration, l.rule_start, l.rule_end, l.final_action, "
	    "l.objects, l.bytes, l.hold_check, l.excluded, l.outcome, "
	    "l.outcome_reason FROM disposal_line l JOIN unit u ON u.seq = "
	    "l.unit WHERE l.disposal = ?1 AND (?2 IS NULL OR l.unit > "
	    "(SELECT seq FROM unit WHERE id = ?2)) ORDER BY l.unit LIMIT ?3",
	    err)) == NULL) {
		json_decref(o);
		return -1;
	}
	sqlite3_bind_int64(st, 1, json_integer_value(json_object_get(o,
	    "seq")));
	catalog_bind_text(st, 2, after);
	sqlite3_bind_int64(st, 3, limit > 0 ? (sqlite3_int64)limit + 1 : -1);
	json_object_del(o, "seq");
	/* "units" becomes the lines: the count stays as "lines_total". */
	json_object_set(o, "lines_total", json_object_get(o, "units"));
	lines = json_array();
	json_object_set_new(o, "units", lines);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *l;

		if (limit > 0 && n == limit) {
			json_object_set_new(o, "next", json_string(
			    json_string_value(json_object_get(json_array_get(
			    lines, n - 1), "id"))));
			rc = SQLITE_DONE;
			break;
		}
		l = catalog_row_json(st);
		json_object_set_new(l, "excluded", json_boolean(
		    sqlite3_column_int(st, 15)));
		json_array_append_new(lines, l);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(o);
		return catalog_fail(err, db, "disposal lines");
	}
	*out = o;
	return 0;
}

int
disposal_get(sqlite3 *db, const char *id, json_t **out, struct sae_err *err)
{
	return disposal_get_page(db, id, NULL, 0, out, err);
}

int
disposal_lines_total(sqlite3 *db, const char *id, const char **units,
    size_t n, long long *objects, long long *bytes, struct sae_err *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	*objects = *bytes = 0;
	if ((st = catalog_prepare(db, "SELECT l.objects, l.bytes FROM "
	    "disposal_line l JOIN disposal d ON d.seq = l.disposal WHERE "
	    "d.id = ?1 AND l.unit = (SELECT seq FROM unit WHERE id = ?2)",
	    err)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		sqlite3_reset(st);
		catalog_bind_text(st, 1, id);
		catalog_bind_text(st, 2, units[i]);
		if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
			sqlite3_finalize(st);
			return rc == SQLITE_DONE ? sae_err_set(err, SAE_EINVAL,
			    "unit %s is not on disposal list %s", units[i],
			    id) : catalog_fail(err, db, "disposal line");
		}
		*objects += sqlite3_column_int64(st, 0);
		*bytes += sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return 0;
}

int
disposal_document(sqlite3 *db, const char *id, enum disposal_doc which,
    struct sae_buf *out, struct sae_err *err)
{
	static const char *const cols[] = { "request", "notification",
	    "notification_tsr" };
	char sql[128];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT %s FROM disposal WHERE id = ?",
	    cols[which]);
	if ((st = catalog_prepare(db, sql, err)) == NULL)
		return -1;
	catalog_bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		sae_buf_add(out, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0));
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return sae_err_set(err, SAE_ENOTFOUND, "no disposal list '%s'",
		    id);
	if (rc != SQLITE_ROW)
		return catalog_fail(err, db, "disposal document");
	if (out->len == 0)
		return sae_err_set(err, SAE_EEXIST, "disposal list '%s' has no "
		    "destruction notification yet: it has not been carried "
		    "out", id);
	return 0;
}

/* The list's seq when it is in ${state}; errors say why not. */
static long long
list_in_state(sqlite3 *db, const char *id, const char *state,
    struct sae_err *err)
{
	sqlite3_stmt *st;
	long long seq = -1;
	char have[16] = "";
	int rc;

	if ((st = catalog_prepare(db, "SELECT seq, state FROM disposal WHERE "
	    "id = ?", err)) == NULL)
		return -1;
	catalog_bind_text(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		snprintf(have, sizeof(have), "%s", catalog_text(st, 1));
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return sae_err_set(err, SAE_ENOTFOUND, "no disposal list '%s'",
		    id);
	if (rc != SQLITE_ROW)
		return catalog_fail(err, db, "disposal state");
	if (strcmp(have, state) != 0)
		return sae_err_set(err, SAE_EEXIST, "disposal list '%s' is %s: "
		    "only a %s list can be decided on", id, have, state);
	return seq;
}

/* When an approved list is carried out: now, or the next HH:MM (UTC). */
static void
due_time(const struct sae_config *cfg, char out[32])
{
	time_t now = time(NULL), t;
	struct tm tm;

	if (cfg->disposal_execute_at < 0) {
		sae_time_iso(out, (long long)now);
		return;
	}
	gmtime_r(&now, &tm);
	tm.tm_hour = cfg->disposal_execute_at / 60;
	tm.tm_min = cfg->disposal_execute_at % 60;
	tm.tm_sec = 0;
	t = timegm(&tm);
	if (t <= now)
		t += 24 * 3600;
	sae_time_iso(out, (long long)t);
}

static int
exclude_unit(sqlite3 *db, long long list, const char *id, const char *unit,
    const char *agent, struct sae_err *err)
{
	struct journal_entry e;
	char detail[128];
	sqlite3_stmt *st;

	if ((st = catalog_prepare(db, "UPDATE disposal_line SET excluded = 1 "
	    "WHERE disposal = ? AND unit = (SELECT seq FROM unit WHERE id = ?) "
	    "AND excluded = 0", err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, list);
	catalog_bind_text(st, 2, unit);
	if (step_done(db, st, "disposal exclude", err) == -1)
		return -1;
	if (sqlite3_changes(db) != 1)
		return sae_err_set(err, SAE_EINVAL, "unit '%s' is not on "
		    "disposal list '%s' (or is excluded twice)", unit, id);
	snprintf(detail, sizeof(detail), "{\"disposal\":\"%s\"}", id);
	memset(&e, 0, sizeof(e));
	e.type = "DISPOSAL_EXCLUDE";
	e.outcome = "OK";
	e.agent = agent;
	e.unit = unit;
	e.message = "Unité exclue du bordereau d'élimination : elle reprend "
	    "son cours normal";
	e.detail = detail;
	return journal_append(db, &e, NULL, err);
}

/* Journals ${detail} (stolen) and commits the open transaction. */
static int
commit_json(sqlite3 *db, const char *type, const char *agent, const char *unit,
    json_t *detail, const char *msg, struct sae_err *err)
{
	char *text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;

	json_decref(detail);
	if (unit != NULL)
		rc = journal_commit_unit(db, type, agent, unit, text, err, "%s",
		    msg);
	else
		rc = journal_commit(db, type, agent, text, err, "%s", msg);
	free(text);
	return rc;
}

static int
blank(const char *s)
{
	if (s == NULL)
		return 1;
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

int
disposal_approve(sqlite3 *db, const struct sae_config *cfg, const char *id,
    const struct disposal_decision *dec, const char *agent,
    struct sae_err *err)
{
	char now[32], due[32], msg[256];
	json_t *detail;
	sqlite3_stmt *st;
	long long list;
	size_t i;

	if (blank(dec->visa))
		return sae_err_set(err, SAE_EINVAL, "an approval needs the visa "
		    "reference of the control authority (\"visa\")");
	if (catalog_begin(db, err) == -1)
		return -1;
	if ((list = list_in_state(db, id, "proposed", err)) < 0)
		goto fail;
	for (i = 0; i < dec->nexclude; i++)
		if (exclude_unit(db, list, id, dec->exclude[i], agent,
		    err) == -1)
			goto fail;
	sae_time_now_iso(now);
	due_time(cfg, due);
	if ((st = catalog_prepare(db, "UPDATE disposal SET state = 'approved', "
	    "decided = ?, decided_by = ?, visa = ?, comment = ?, due = ? WHERE "
	    "seq = ?", err)) == NULL)
		goto fail;
	catalog_bind_text(st, 1, now);
	catalog_bind_text(st, 2, agent);
	catalog_bind_text(st, 3, dec->visa);
	catalog_bind_text(st, 4, dec->comment);
	catalog_bind_text(st, 5, due);
	sqlite3_bind_int64(st, 6, list);
	if (step_done(db, st, "disposal approve", err) == -1)
		goto fail;
	detail = json_pack("{s:s, s:s, s:I, s:s}", "disposal", id, "visa",
	    dec->visa, "excluded", (json_int_t)dec->nexclude, "due", due);
	if (detail == NULL) {
		sae_err_set(err, SAE_EINVAL, "the visa reference is not valid "
		    "UTF-8");
		goto fail;
	}
	if (!blank(dec->comment))
		json_object_set_new(detail, "comment",
		    json_string(dec->comment));
	snprintf(msg, sizeof(msg), "Bordereau d'élimination %s approuvé "
	    "(visa %s)", id, dec->visa);
	if (commit_json(db, "DISPOSAL_APPROVE", agent, NULL, detail, msg,
	    err) == -1)
		goto fail;
	return 0;
fail:
	catalog_rollback(db);
	return -1;
}

int
disposal_reject(sqlite3 *db, const char *id, const char *reason,
    const char *agent, struct sae_err *err)
{
	char now[32], msg[128];
	json_t *detail;
	sqlite3_stmt *st;
	long long list;

	if (blank(reason))
		return sae_err_set(err, SAE_EINVAL, "a rejection needs a reason "
		    "(\"reason\")");
	if (catalog_begin(db, err) == -1)
		return -1;
	if ((list = list_in_state(db, id, "proposed", err)) < 0)
		goto fail;
	sae_time_now_iso(now);
	if ((st = catalog_prepare(db, "UPDATE disposal SET state = 'rejected', "
	    "decided = ?, decided_by = ?, reason = ? WHERE seq = ?",
	    err)) == NULL)
		goto fail;
	catalog_bind_text(st, 1, now);
	catalog_bind_text(st, 2, agent);
	catalog_bind_text(st, 3, reason);
	sqlite3_bind_int64(st, 4, list);
	if (step_done(db, st, "disposal reject", err) == -1)
		goto fail;
	if ((detail = json_pack("{s:s, s:s}", "disposal", id, "reason",
	    reason)) == NULL) {
		sae_err_set(err, SAE_EINVAL, "the reason is not valid UTF-8");
		goto fail;
	}
	snprintf(msg, sizeof(msg), "Bordereau d'élimination %s refusé", id);
	if (commit_json(db, "DISPOSAL_REJECT", agent, NULL, detail, msg,
	    err) == -1)
		goto fail;
	return 0;
fail:
	catalog_rollback(db);
	return -1;
}

int
disposal_decide(sqlite3 *db, const char *unit, const char *decision,
    const char *comment, const char *agent, struct sae_err *err)
{
	const char *to;
	char now[32], age[16] = "", msg[160];
	json_t *detail;
	sqlite3_stmt *st;
	long long seq = -1;
	int rc;

	if (decision != NULL && !strcmp(decision, "keep"))
		to = "definitive";
	else if (decision != NULL && !strcmp(decision, "destroy"))
		to = "disposal";
	else
		return sae_err_set(err, SAE_EINVAL, "\"decision\" must be keep "
		    "or destroy");
	if (catalog_begin(db, err) == -1)
		return -1;
	if ((st = catalog_prepare(db, "SELECT seq, age FROM unit WHERE id = ? "
	    "AND state = 'alive'", err)) == NULL)
		goto fail;
	catalog_bind_text(st, 1, unit);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		snprintf(age, sizeof(age), "%s", catalog_text(st, 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		catalog_fail(err, db, "decision unit");
		goto fail;
	}
	if (seq < 0) {
		sae_err_set(err, SAE_ENOTFOUND, "no unit '%s'", unit);
		goto fail;
	}
	if (strcmp(age, "review") != 0) {
		sae_err_set(err, SAE_EEXIST, "unit '%s' is %s, not awaiting a "
		    "keep-or-destroy decision", unit, age);
		goto fail;
	}
	sae_time_now_iso(now);
	if ((st = catalog_prepare(db, "INSERT INTO decision (unit, decision, "
	    "comment, decided_by, decided) VALUES (?, ?, ?, ?, ?) ON CONFLICT"
	    "(unit) DO UPDATE SET decision = excluded.decision, comment = "
	    "excluded.comment, decided_by = excluded.decided_by, decided = "
	    "excluded.decided", err)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, seq);
	catalog_bind_text(st, 2, decision);
	catalog_bind_text(st, 3, comment);
	catalog_bind_text(st, 4, agent);
	catalog_bind_text(st, 5, now);
	if (step_done(db, st, "decision insert", err) == -1)
		goto fail;
	if ((st = catalog_prepare(db, "UPDATE unit SET age = ? WHERE seq = ?",
	    err)) == NULL)
		goto fail;
	catalog_bind_text(st, 1, to);
	sqlite3_bind_int64(st, 2, seq);
	if (step_done(db, st, "decision age", err) == -1 ||
	    ages_bump_generation(db, err) == -1)
		goto fail;
	detail = json_pack("{s:s, s:s, s:s}", "decision", decision, "from",
	    "review", "to", to);
	if (!blank(comment))
		json_object_set_new(detail, "comment", json_string(comment));
	snprintf(msg, sizeof(msg), "Décision de l'archiviste sur une unité à "
	    "trier : %s", !strcmp(to, "definitive") ? "conserver (archives "
	    "définitives)" : "éliminer (prochain bordereau)");
	if (commit_json(db, "UNIT_DECISION", agent, unit, detail, msg,
	    err) == -1)
		goto fail;
	return 0;
fail:
	catalog_rollback(db);
	return -1;
}

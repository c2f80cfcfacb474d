/*
 * export_package.c: one transfer back into a SEDA package: reads what the
 * catalog holds about its alive units, their objects, the package's rules
 * and the journal, has seda_transfer_write make the manifest, and zips it
 * with the objects' original bytes read from checked copies.  Reads the
 * catalog and the store; writes only the file it is given.
 */
#include "config.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "sae/buf.h"
#include "sae/catalog.h"
#include "sae/copies.h"
#include "sae/export_package.h"
#include "sae/id.h"
#include "sae/xmalloc.h"
#include "seda/seda.h"
#include "storage/store.h"

#define IO_SIZE		(256 * 1024)

/* Every string read from the catalog, freed at the end in one go. */
struct pool {
	char	**v;
	size_t	  n, cap;
};

struct xunit {
	sqlite3_int64		 seq;
	const char		*id;
	const char		*xml_id;
	const char		*content;
	const char		*management;
	size_t			*parents;	/* indexes into units */
	size_t			 nparents;
	size_t			*groups;	/* indexes into groups (all of them) */
	size_t			 ngroups;
	struct seda_out_event	*events;
	size_t			 nevents;
};

struct xobject {
	struct seda_out_object	 o;
	const char		*id;		/* ours */
	const char		*sha256;
	const char		*entry;		/* name in the zip; NULL: none of its own */
	size_t			 order;
};

struct xgroup {
	sqlite3_int64		 seq;
	const char		*xml_id;
	int			 used;		/* an alive unit refers to it */
	size_t			 first, n;	/* its objects in objs */
	size_t			 out;		/* index among the groups written */
};

struct pkg {
	sqlite3			*db;
	const char		*tid;
	struct pool		 pool;
	/* the transfer row */
	const char		*message_id;
	const char		*version;
	const char		*received;
	const char		*agreement;
	const char		*transferring;
	const char		*agency;
	char			*archival;	/* from our reply */
	const struct export_as	*as;		/* another message, or NULL */
	struct xunit		*units;
	size_t			 nunits;
	struct xgroup		*groups;
	size_t			 ngroups;
	struct xobject		*objs;
	size_t			 nobjs;
	struct seda_management	 mgmt;
	struct seda_out_event	*events;	/* the transfer's own entries */
	size_t			 nevents;
};

/* Takes ownership of ${s}. */
static char *
keep_owned(struct pool *p, char *s)
{
	if (s == NULL)
		return NULL;
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 256;
		p->v = sae_xreallocarray(p->v, p->cap, sizeof(p->v[0]));
	}
	return p->v[p->n++] = s;
}

static char *
keep(struct pool *p, const char *s)
{
	return keep_owned(p, sae_xstrdup(s));
}

static char *
keep_col(struct pool *p, sqlite3_stmt *st, int col)
{
	return keep(p, catalog_text(st, col));
}

/* A BLOB column (Content, Management) as a string. */
static char *
keep_blob(struct pool *p, sqlite3_stmt *st, int col)
{
	const void *b = sqlite3_column_blob(st, col);

	if (b == NULL)
		return NULL;
	return keep_owned(p, sae_xstrndup(b, (size_t)sqlite3_column_bytes(st,
	    col)));
}

static int
step_fail(struct pkg *p, int rc, const char *what, struct sae_err *err)
{
	if (rc == SQLITE_DONE)
		return 0;
	return catalog_fail(err, p->db, what);
}

/* ------------------------------------------------------------------ */
/* What the catalog holds.                                            */

static int
load_transfer(struct pkg *p, struct sae_err *err)
{
	sqlite3_stmt *st;
	int rc, ret = -1;

	st = catalog_prepare(p->db, "SELECT message_id, seda_version, received,"
	    " archival_agreement, transferring_agency, agency, reply FROM "
	    "transfer WHERE id = ? AND status <> 'KO'", err);
	if (st == NULL)
		return -1;
	catalog_bind_text(st, 1, p->tid);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			sae_err_set(err, SAE_ENOTFOUND, "no accepted transfer "
			    "'%s'", p->tid);
		else
			catalog_fail(err, p->db, "transfer");
		goto out;
	}
	p->message_id = keep_col(&p->pool, st, 0);
	p->version = keep_col(&p->pool, st, 1);
	p->received = keep_col(&p->pool, st, 2);
	p->agreement = keep_col(&p->pool, st, 3);
	p->transferring = keep_col(&p->pool, st, 4);
	p->agency = keep_col(&p->pool, st, 5);
	p->archival = seda_transfer_write_agency(sqlite3_column_blob(st, 6),
	    (size_t)sqlite3_column_bytes(st, 6), "ArchivalAgency");
	if (p->message_id == NULL || p->archival == NULL) {
		sae_err_set(err, SAE_ECORRUPT, "transfer '%s': no %s recorded",
		    p->tid, p->message_id == NULL ? "MessageIdentifier" :
		    "ArchivalAgency in its reply");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

static int
seq_cmp(const void *a, const void *b)
{
	sqlite3_int64 x = *(const sqlite3_int64 *)a;
	sqlite3_int64 y = *(const sqlite3_int64 *)b;

	return x < y ? -1 : x > y;
}

/* Index of the unit with catalog seq ${seq}, or SIZE_MAX (not alive). */
static size_t
unit_index(const struct pkg *p, sqlite3_int64 seq)
{
	const struct xunit *u;

	/* seq is the first member: units are sorted by it. */
	u = bsearch(&seq, p->units, p->nunits, sizeof(p->units[0]), seq_cmp);
	return u != NULL ? (size_t)(u - p->units) : SIZE_MAX;
}

static size_t
group_index(const struct pkg *p, sqlite3_int64 seq)
{
	const struct xgroup *g;

	g = bsearch(&seq, p->groups, p->ngroups, sizeof(p->groups[0]),
	    seq_cmp);
	return g != NULL ? (size_t)(g - p->groups) : SIZE_MAX;
}

static int
load_units(struct pkg *p, struct sae_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	st = catalog_prepare(p->db, "SELECT seq, id, xml_id, content, "
	    "management FROM unit WHERE transfer = ? AND state = 'alive' "
	    "ORDER BY seq", err);
	if (st == NULL)
		return -1;
	catalog_bind_text(st, 1, p->tid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct xunit *u;

		if (p->nunits == cap) {
			cap = cap ? 2 * cap : 64;
			p->units = sae_xreallocarray(p->units, cap,
			    sizeof(p->units[0]));
		}
		u = &p->units[p->nunits++];
		memset(u, 0, sizeof(*u));
		u->seq = sqlite3_column_int64(st, 0);
		u->id = keep_col(&p->pool, st, 1);
		u->xml_id = keep_col(&p->pool, st, 2);
		u->content = keep_blob(&p->pool, st, 3);
		u->management = keep_blob(&p->pool, st, 4);
	}
	sqlite3_finalize(st);
	if (step_fail(p, rc, "units", err) == -1)
		return -1;
	if (p->nunits == 0)
		return sae_err_set(err, SAE_ENOTFOUND, "transfer '%s' has no "
		    "alive unit left", p->tid);
	return 0;
}

static void
index_push(size_t **v, size_t *n, size_t x)
{
	*v = sae_xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = x;
}

/*
 * Links from the unit to its parents (by seq: the first is where it is
 * nested) and to its groups; those to units no longer alive are dropped.
 */
static int
load_links(struct pkg *p, struct sae_err *err)
{
	sqlite3_stmt *st;
	size_t u, x;
	int rc;

	st = catalog_prepare(p->db, "SELECT up.unit, up.parent FROM "
	    "unit_parent up JOIN unit u ON u.seq = up.unit WHERE u.transfer = "
	    "? ORDER BY up.unit, up.parent", err);
	if (st == NULL)
		return -1;
	catalog_bind_text(st, 1, p->tid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((u = unit_index(p, sqlite3_column_int64(st, 0))) !=
		    SIZE_MAX && (x = unit_index(p, sqlite3_column_int64(st,
		    1))) != SIZE_MAX)
			index_push(&p->units[u].parents,
			    &p->units[u].nparents, x);
	sqlite3_finalize(st);
	if (step_fail(p, rc, "unit parents", err) == -1)
		return -1;

	st = catalog_prepare(p->db, "SELECT seq, xml_id FROM object_group "
	    "WHERE transfer = ? ORDER BY seq", err);
	if (st == NULL)
		return -1;
	catalog_bind_text(st, 1, p->tid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct xgroup *g;

		p->groups = sae_xreallocarray(p->groups, p->ngroups + 1,
		    sizeof(p->groups[0]));
		g = &p->groups[p->ngroups++];
		memset(g, 0, sizeof(*g));
		g->seq = sqlite3_column_int64(st, 0);
		g->xml_id = keep_col(&p->pool, st, 1);
	}
	sqlite3_finalize(st);
	if (step_fail(p, rc, "object groups", err) == -1)
		return -1;

	st = catalog_prepare(p->db, "SELECT ug.unit, ug.grp FROM unit_group ug "
	    "JOIN unit u ON u.seq = ug.unit WHERE u.transfer = ? ORDER BY "
	    "ug.unit, ug.grp", err);
	if (st == NULL)
		return -1;
	catalog_bind_text(st, 1, p->tid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((u = unit_index(p, sqlite3_column_int64(st, 0))) !=
		    SIZE_MAX && (x = group_index(p, sqlite3_column_int64(st,
		    1))) != SIZE_MAX) {
			index_push(&p->units[u].groups, &p->units[u].ngroups,
			    x);
			p->groups[x].used = 1;
		}
	sqlite3_finalize(st);
	return step_fail(p, rc, "unit groups", err);
}

static int
load_objects(struct pkg *p, struct sae_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0, g;
	int rc;

	/* By group, then in the manifest's order. */
	st = catalog_prepare(p->db, "SELECT grp, id, xml_id, version, "
	    "physical, uri, filename, size, sha256, sha512, declared_format, "
	    "coalesce(declared_mime, mime), coalesce(declared_puid, puid), "
	    "physical_id FROM object WHERE transfer = ? ORDER BY grp, seq",
	    err);
	if (st == NULL)
		return -1;
	catalog_bind_text(st, 1, p->tid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct xobject *x;

		g = group_index(p, sqlite3_column_int64(st, 0));
		if (g == SIZE_MAX || !p->groups[g].used)
			continue;	/* only destroyed units had it */
		if (p->nobjs == cap) {
			cap = cap ? 2 * cap : 64;
			p->objs = sae_xreallocarray(p->objs, cap,
			    sizeof(p->objs[0]));
		}
		x = &p->objs[p->nobjs];
		memset(x, 0, sizeof(*x));
		if (p->groups[g].n++ == 0)
			p->groups[g].first = p->nobjs;
		x->order = p->nobjs++;
		x->id = keep_col(&p->pool, st, 1);
		x->o.xml_id = keep_col(&p->pool, st, 2);
		x->o.version = keep_col(&p->pool, st, 3);
		x->o.physical = sqlite3_column_int(st, 4) != 0;
		x->o.uri = keep_col(&p->pool, st, 5);
		x->o.filename = keep_col(&p->pool, st, 6);
		x->o.size = sqlite3_column_int64(st, 7) > 0 ?
		    (uint64_t)sqlite3_column_int64(st, 7) : 0;
		x->sha256 = keep_col(&p->pool, st, 8);
		x->o.sha512 = keep_col(&p->pool, st, 9);
		/* Formats as declared; what we identified where none was. */
		x->o.format_litteral = keep_col(&p->pool, st, 10);
		x->o.mime_type = keep_col(&p->pool, st, 11);
		x->o.format_id = keep_col(&p->pool, st, 12);
		x->o.physical_id = keep_col(&p->pool, st, 13);
	}
	sqlite3_finalize(st);
	return step_fail(p, rc, "objects", err);
}

static int
category_of(const char *name)
{
	int c;

	for (c = 0; c < SEDA_NCATEGORIES; c++)
		if (name != NULL && !strcmp(name, seda_category_name(c)))
			return c;
	return -1;
}

static char *
extra_str(struct pkg *p, json_t *o, const char *key)
{
	return keep(&p->pool, json_string_value(json_object_get(o, key)));
}

/*
 * The rules of ManagementMetadata as the package declared them, one row
 * per Rule or RefNonRuleId (or one for a category with neither), in order.
 */
static int
load_rules(struct pkg *p, struct sae_err *err)
{
	struct seda_management *m = &p->mgmt;
	sqlite3_stmt *st;
	json_t *extra;
	int rc, c;

	m->need_authorization = -1;	/* not kept at ingest */
	st = catalog_prepare(p->db, "SELECT category, rule, start_date, "
	    "prevent_inheritance, ref_non_rule, final_action, extra FROM "
	    "declared_rule WHERE transfer = ? AND unit IS NULL ORDER BY rowid",
	    err);
	if (st == NULL)
		return -1;
	catalog_bind_text(st, 1, p->tid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct seda_rules *rs;

		if ((c = category_of(catalog_text(st, 0))) < 0) {
			sae_err_set(err, SAE_ECORRUPT, "transfer '%s': unknown "
			    "rule category '%s'", p->tid, catalog_text(st, 0));
			sqlite3_finalize(st);
			return -1;
		}
		rs = &m->cat[c];
		rs->present = 1;
		extra = catalog_text(st, 6) != NULL ?
		    json_loads(catalog_text(st, 6), 0, NULL) : NULL;
		if (catalog_text(st, 1) != NULL) {
			struct seda_rule *r;
			json_t *pr = json_object_get(extra,
			    "prevent_rearrangement");

			rs->rules = sae_xreallocarray(rs->rules, rs->nrules + 1,
			    sizeof(rs->rules[0]));
			r = &rs->rules[rs->nrules++];
			memset(r, 0, sizeof(*r));
			r->rule_id = keep_col(&p->pool, st, 1);
			r->start_date = keep_col(&p->pool, st, 2);
			r->hold_end_date = extra_str(p, extra, "hold_end_date");
			r->hold_owner = extra_str(p, extra, "hold_owner");
			r->hold_reason = extra_str(p, extra, "hold_reason");
			r->hold_reassessing_date = extra_str(p, extra,
			    "hold_reassessing_date");
			r->prevent_rearrangement = json_is_boolean(pr) ?
			    json_is_true(pr) : -1;
		}
		if (catalog_text(st, 4) != NULL) {
			rs->ref_non_rule_ids = sae_xreallocarray(
			    rs->ref_non_rule_ids, rs->nref_non_rule_ids + 1,
			    sizeof(char *));
			rs->ref_non_rule_ids[rs->nref_non_rule_ids++] =
			    keep_col(&p->pool, st, 4);
		}
		if (sqlite3_column_int(st, 3))
			rs->prevent_inheritance = 1;
		if (rs->final_action == NULL)
			rs->final_action = keep_col(&p->pool, st, 5);
		if (rs->classification_level == NULL)
			rs->classification_level = extra_str(p, extra,
			    "classification_level");
		if (rs->classification_owner == NULL)
			rs->classification_owner = extra_str(p, extra,
			    "classification_owner");
		json_decref(extra);
	}
	sqlite3_finalize(st);
	return step_fail(p, rc, "declared rules", err);
}

/* Journal entries as LogBook events, their strings kept in the pool. */
static int
load_events(struct pkg *p, sqlite3_stmt *st, struct seda_out_event **out,
    size_t *n, struct sae_err *err)
{
	char buf[96];
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct seda_out_event *e;

		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			*out = sae_xreallocarray(*out, cap, sizeof(**out));
		}
		e = &(*out)[(*n)++];
		memset(e, 0, sizeof(*e));
		snprintf(buf, sizeof(buf), "%lld",
		    (long long)sqlite3_column_int64(st, 0));
		e->identifier = keep(&p->pool, buf);
		e->date_time = keep_col(&p->pool, st, 1);
		e->type_code = keep_col(&p->pool, st, 2);
		e->outcome = keep_col(&p->pool, st, 3);
		e->agent = keep_col(&p->pool, st, 4);
		e->message = keep_col(&p->pool, st, 5);
		snprintf(buf, sizeof(buf), "sha256:%s",
		    catalog_text(st, 6) ? catalog_text(st, 6) : "");
		e->detail_data = keep(&p->pool, buf);
	}
	sqlite3_reset(st);
	return step_fail(p, rc, "journal", err);
}

static int
load_journal(struct pkg *p, struct sae_err *err)
{
	static const char cols[] = "SELECT seq, ts, type, outcome, agent, "
	    "message, hash FROM journal ";
	sqlite3_stmt *st;
	char sql[256];
	size_t i;
	int ret = -1;

	snprintf(sql, sizeof(sql), "%sWHERE unit = ? ORDER BY seq", cols);
	if ((st = catalog_prepare(p->db, sql, err)) == NULL)
		return -1;
	for (i = 0; i < p->nunits; i++) {
		catalog_bind_text(st, 1, p->units[i].id);
		if (load_events(p, st, &p->units[i].events,
		    &p->units[i].nevents, err) == -1)
			goto out;
	}
	sqlite3_finalize(st);
	snprintf(sql, sizeof(sql), "%sWHERE transfer = ? AND unit IS NULL "
	    "ORDER BY seq", cols);
	if ((st = catalog_prepare(p->db, sql, err)) == NULL)
		return -1;
	catalog_bind_text(st, 1, p->tid);
	if (load_events(p, st, &p->events, &p->nevents, err) == -1)
		goto out;
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The manifest.                                                      */

static int
version_of(const char *name, enum seda_version *v)
{
	int i;

	for (i = 0; i < SEDA_NVERSIONS; i++)
		if (name != NULL && !strcmp(name, seda_version_name(i))) {
			*v = (enum seda_version)i;
			return 0;
		}
	return -1;
}

static int
write_manifest(struct pkg *p, struct sae_buf *xml, struct sae_err *err)
{
	struct seda_out_transfer t;
	struct seda_out_group *gs;
	struct seda_out_unit *us;
	struct seda_out_object *os;
	size_t **ug, i, k, ng = 0;
	char now[32], comment[256];
	int rc;

	memset(&t, 0, sizeof(t));
	if (version_of(p->version, &t.version) == -1)
		return sae_err_set(err, SAE_ECORRUPT, "transfer '%s': unknown "
		    "SEDA version '%s'", p->tid, p->version ? p->version : "");
	os = sae_xcalloc(p->nobjs + 1, sizeof(*os));
	for (i = 0; i < p->nobjs; i++)
		os[i] = p->objs[i].o;
	gs = sae_xcalloc(p->ngroups + 1, sizeof(*gs));
	for (i = 0; i < p->ngroups; i++) {
		struct xgroup *g = &p->groups[i];

		if (!g->used || g->n == 0)
			continue;	/* no object: no group */
		g->out = ng;
		gs[ng].xml_id = g->xml_id;
		gs[ng].objects = &os[g->first];
		gs[ng].nobjects = g->n;
		/* The parser makes a group of a lone object, with its id. */
		gs[ng].lone = g->n == 1 && os[g->first].xml_id != NULL &&
		    g->xml_id != NULL &&
		    !strcmp(os[g->first].xml_id, g->xml_id);
		ng++;
	}
	us = sae_xcalloc(p->nunits + 1, sizeof(*us));
	ug = sae_xcalloc(p->nunits + 1, sizeof(*ug));
	for (i = 0; i < p->nunits; i++) {
		const struct xunit *u = &p->units[i];

		us[i].xml_id = u->xml_id;
		us[i].content_xml = u->content;
		us[i].management_xml = u->management;
		us[i].parents = u->parents;
		us[i].nparents = u->nparents;
		ug[i] = sae_xcalloc(u->ngroups + 1, sizeof(size_t));
		for (k = 0; k < u->ngroups; k++)
			if (p->groups[u->groups[k]].n > 0)
				ug[i][us[i].ngroups++] =
				    p->groups[u->groups[k]].out;
		us[i].groups = ug[i];
		us[i].events = u->events;
		us[i].nevents = u->nevents;
	}
	sae_time_now_iso(now);
	snprintf(comment, sizeof(comment), "Export de réversibilité du "
	    "versement %s reçu le %s", p->tid,
	    p->received ? p->received : "?");
	t.comment = comment;
	t.date = now;
	t.message_id = p->message_id;
	if (p->as != NULL) {	/* a transfer to another archive */
		t.comment = p->as->comment;
		t.message_id = p->as->message_id;
	}
	t.archival_agreement = p->agreement;
	t.groups = gs;
	t.ngroups = ng;
	t.units = us;
	t.nunits = p->nunits;
	t.originating_agency = p->agency;
	t.mgmt = &p->mgmt;
	t.events = p->events;
	t.nevents = p->nevents;
	t.archival_agency = p->archival;
	t.transferring_agency = p->transferring != NULL &&
	    *p->transferring != '\0' ? p->transferring : p->archival;
	if (p->as != NULL)
		t.transferring_agency = p->as->transferring_agency;
	rc = seda_transfer_write(xml, &t, err);
	/* What we hold cannot be written back: not the caller's fault. */
	if (rc == -1 && err->code == SAE_EINVAL)
		err->code = SAE_ECORRUPT;
	for (i = 0; i < p->nunits; i++)
		free(ug[i]);
	free(ug);
	free(us);
	free(gs);
	free(os);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The zip.                                                           */

/* A Uri the ingest would take as naming a file of the package. */
static const char *
entry_name(const char *uri)
{
	const char *p;

	if (uri == NULL)
		return NULL;
	if (uri[0] == '.' && uri[1] == '/')
		uri += 2;	/* as the ingest reads it */
	if (*uri == '\0' || *uri == '/' || strchr(uri, '\\') != NULL ||
	    !strcmp(uri, "manifest.xml"))
		return NULL;
	for (p = uri; *p != '\0' && *p != '/'; p++)
		if (*p == ':')
			return NULL;
	for (p = uri; p != NULL; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || !p[2]))
			return NULL;
	}
	return uri;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct xobject *x = *(const struct xobject *const *)a;
	const struct xobject *y = *(const struct xobject *const *)b;
	int c = strcmp(x->entry, y->entry);

	return c != 0 ? c : x->order < y->order ? -1 : x->order > y->order;
}

/*
 * One zip entry per file: objects sharing a Uri (the same file named
 * twice) share it, and must then have the same bytes.
 */
static int
plan_entries(struct pkg *p, struct sae_err *err)
{
	struct xobject **v;
	size_t i, n = 0;
	int ret = -1;

	v = sae_xcalloc(p->nobjs + 1, sizeof(*v));
	for (i = 0; i < p->nobjs; i++) {
		struct xobject *x = &p->objs[i];

		if (x->o.physical)
			continue;
		if ((x->entry = entry_name(x->o.uri)) == NULL) {
			sae_err_set(err, SAE_ECORRUPT, "object '%s': its Uri "
			    "'%s' cannot name a file of the package", x->id,
			    x->o.uri ? x->o.uri : "");
			goto out;
		}
		v[n++] = x;
	}
	qsort(v, n, sizeof(v[0]), entry_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(v[i]->entry, v[i - 1]->entry) != 0)
			continue;
		if (v[i]->sha256 == NULL || v[i - 1]->sha256 == NULL ||
		    strcmp(v[i]->sha256, v[i - 1]->sha256) != 0) {
			sae_err_set(err, SAE_ECORRUPT, "objects '%s' and '%s' "
			    "have the same Uri '%s' and different bytes",
			    v[i - 1]->id, v[i]->id, v[i]->entry);
			goto out;
		}
		v[i]->entry = NULL;	/* written with the first */
	}
	ret = 0;
out:
	free(v);
	return ret;
}

struct zip {
	struct archive	*a;
	time_t		 mtime;
};

static int
zip_fail(struct zip *z, const char *name, struct sae_err *err)
{
	return sae_err_set(err, SAE_EIO, "package, '%s': %s", name,
	    archive_error_string(z->a) ? archive_error_string(z->a) :
	    "write failed");
}

/*
 * Objects are stored as they are (mostly compressed formats already, and
 * an expansion ratio near 1 keeps a re-ingest within its limits); the
 * manifest is deflated.
 */
static int
zip_begin(struct zip *z, const char *name, uint64_t size, int deflate,
    struct sae_err *err)
{
	struct archive_entry *e;
	int rc;

	if ((deflate ? archive_write_zip_set_compression_deflate(z->a) :
	    archive_write_zip_set_compression_store(z->a)) != ARCHIVE_OK)
		return zip_fail(z, name, err);
	e = archive_entry_new();
	archive_entry_update_pathname_utf8(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_mtime(e, z->mtime, 0);
	rc = archive_write_header(z->a, e);
	archive_entry_free(e);
	return rc == ARCHIVE_OK ? 0 : zip_fail(z, name, err);
}

static int
zip_data(struct zip *z, const char *name, const void *p, size_t n,
    struct sae_err *err)
{
	const char *c = p;

	while (n > 0) {
		la_ssize_t w = archive_write_data(z->a, c, n);

		if (w <= 0)
			return zip_fail(z, name, err);
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Streams one file from a copy checked whole first; a damaged or missing
 * copy sends us to the next offer.  Once the entry is begun there is no
 * going back: a copy that changes while it is read fails the package.
 */
static int
zip_object(struct zip *z, sqlite3 *db, struct store *st,
    const struct xobject *x, char *buf, struct sae_err *err)
{
	struct store_reader *r = NULL;
	struct sae_err e;
	char what[64], offer[64];
	uint64_t got;
	ssize_t n;
	int ret = -1;

	snprintf(what, sizeof(what), "object '%s'", x->id);
	if (copy_open(db, st, x->sha256, what, &r, offer, err) == -1)
		return -1;
	if (zip_begin(z, x->entry, x->o.size, 0, err) == -1)
		goto out;
	got = 0;
	while ((n = store_reader_read(r, buf, IO_SIZE, &e)) > 0) {
		got += (uint64_t)n;
		if (got > x->o.size)
			break;
		if (zip_data(z, x->entry, buf, (size_t)n, err) == -1)
			goto out;
	}
	if (n != 0 || got != x->o.size) {
		if (n >= 0)
			sae_err_set(&e, SAE_ECORRUPT, "%llu bytes or more where "
			    "the catalog says %llu", (unsigned long long)got,
			    (unsigned long long)x->o.size);
		sae_err_set(err, SAE_ECORRUPT, "object '%s': the copy on offer "
		    "'%s' changed while it was read: %s", x->id, offer, e.msg);
		goto out;
	}
	if (archive_write_finish_entry(z->a) != ARCHIVE_OK) {
		zip_fail(z, x->entry, err);
		goto out;
	}
	ret = 0;
out:
	store_reader_free(r);
	return ret;
}

static int
write_zip(struct pkg *p, struct store *st, int fd, const struct sae_buf *xml,
    uint64_t *bytes, struct sae_err *err)
{
	struct zip z;
	char *buf = NULL;
	size_t i;
	int ret = -1;

	z.mtime = time(NULL);
	if ((z.a = archive_write_new()) == NULL)
		return sae_err_set(err, SAE_ENOMEM, "cannot start the package");
	if (archive_write_set_format_zip(z.a) != ARCHIVE_OK ||
	    archive_write_set_options(z.a, "zip:hdrcharset=UTF-8") !=
	    ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(z.a, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(z.a, fd) != ARCHIVE_OK) {
		zip_fail(&z, "manifest.xml", err);
		goto out;
	}
	if (zip_begin(&z, "manifest.xml", xml->len, 1, err) == -1 ||
	    zip_data(&z, "manifest.xml", xml->data, xml->len, err) == -1)
		goto out;
	if (archive_write_finish_entry(z.a) != ARCHIVE_OK) {
		zip_fail(&z, "manifest.xml", err);
		goto out;
	}
	buf = sae_xmalloc(IO_SIZE);
	for (i = 0; i < p->nobjs; i++) {
		const struct xobject *x = &p->objs[i];

		if (x->o.physical || x->entry == NULL)
			continue;
		if (zip_object(&z, p->db, st, x, buf, err) == -1)
			goto out;
		*bytes += x->o.size;
	}
	if (archive_write_close(z.a) != ARCHIVE_OK) {
		zip_fail(&z, "manifest.xml", err);
		goto out;
	}
	ret = 0;
out:
	free(buf);
	archive_write_free(z.a);
	return ret;
}

/* ------------------------------------------------------------------ */

static void
pkg_done(struct pkg *p)
{
	size_t i;
	int c;

	for (i = 0; i < p->nunits; i++) {
		free(p->units[i].parents);
		free(p->units[i].groups);
		free(p->units[i].events);
	}
	free(p->units);
	free(p->groups);
	free(p->objs);
	free(p->events);
	for (c = 0; c < SEDA_NCATEGORIES; c++) {
		free(p->mgmt.cat[c].rules);
		free(p->mgmt.cat[c].ref_non_rule_ids);
	}
	free(p->archival);
	for (i = 0; i < p->pool.n; i++)
		free(p->pool.v[i]);
	free(p->pool.v);
}

int
export_package(sqlite3 *db, struct store *st, const char *transfer,
    const char *path, struct export_package_stats *stats,
    struct sae_err *err)
{
	return export_package_as(db, st, transfer, path, NULL, stats, err);
}

int
export_package_as(sqlite3 *db, struct store *st, const char *transfer,
    const char *path, const struct export_as *as,
    struct export_package_stats *stats, struct sae_err *err)
{
	struct sae_buf xml = SAE_BUF_INIT;
	struct pkg p;
	uint64_t bytes = 0;
	int fd = -1, created = 0, ret = -1;

	memset(&p, 0, sizeof(p));
	p.db = db;
	p.tid = transfer;
	p.as = as;
	if (stats != NULL)
		memset(stats, 0, sizeof(*stats));
	if (load_transfer(&p, err) == -1 || load_units(&p, err) == -1 ||
	    load_links(&p, err) == -1 || load_objects(&p, err) == -1 ||
	    load_rules(&p, err) == -1 || load_journal(&p, err) == -1 ||
	    plan_entries(&p, err) == -1 || write_manifest(&p, &xml, err) == -1)
		goto out;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0640)) == -1) {
		sae_err_sys(err, SAE_EIO, "cannot create '%s'", path);
		goto out;
	}
	created = 1;
	if (write_zip(&p, st, fd, &xml, &bytes, err) == -1)
		goto out;
	if (fsync(fd) == -1) {
		sae_err_sys(err, SAE_EIO, "cannot write '%s'", path);
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		sae_err_sys(err, SAE_EIO, "cannot write '%s'", path);
		goto out;
	}
	fd = -1;
	if (stats != NULL) {
		stats->units = p.nunits;
		stats->objects = p.nobjs;
		stats->bytes = bytes;
	}
	ret = 0;
out:
	if (fd != -1)
		close(fd);
	if (ret == -1 && created)
		unlink(path);
	sae_buf_done(&xml);
	pkg_done(&p);
	return ret;
}

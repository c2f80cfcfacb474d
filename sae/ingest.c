/*
 * ingest.c: one package from its bytes to a decision.  Reads the package
 * (package.c: spooled, or as it arrives), the manifest (seda/), checks
 * objects, rules and the producer, streams every file into the store's
 * temporary files while hashing it, then hands over to ingest_record.c.
 * Touches the store and reads the catalog; never the file system directly,
 * never a path taken from the package.
 */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "policies/dua.h"
#include "policies/retention.h"
#include "sae/catalog.h"
#include "sae/daemon.h"
#include "sae/package.h"
#include "sae/rules.h"
#include "sae/xmalloc.h"
#include "seda/seda.h"
#include "storage/store.h"
#include "sae/ingest_internal.h"

/*
 * libmagic handles are costly to load (the whole database is mapped and
 * parsed) and not thread safe: keep the loaded ones for the next ingest.
 */
#define FORMAT_POOL	16
static pthread_mutex_t format_lock = PTHREAD_MUTEX_INITIALIZER;
static struct format *format_idle[FORMAT_POOL];
static size_t format_nidle;

static struct format *
format_get(struct sae_err *err)
{
	struct format *f = NULL;

	pthread_mutex_lock(&format_lock);
	if (format_nidle > 0)
		f = format_idle[--format_nidle];
	pthread_mutex_unlock(&format_lock);
	if (f == NULL && format_new(&f, err) == -1)
		return NULL;
	return f;
}

static void
format_put(struct format *f)
{
	if (f == NULL)
		return;
	pthread_mutex_lock(&format_lock);
	if (format_nidle < FORMAT_POOL) {
		format_idle[format_nidle++] = f;
		f = NULL;
	}
	pthread_mutex_unlock(&format_lock);
	format_free(f);
}

/* ------------------------------------------------------------------ */
/* Small helpers.                                                     */

/* Percent-decodes a URI path; NULL when it holds a bad escape or a NUL. */
static char *
uri_decode(const char *s)
{
	char *out = sae_xmalloc(strlen(s) + 1), *o = out;
	unsigned char byte[1];

	while (*s != '\0') {
		if (*s == '%') {
			char hex[3] = { s[1], s[1] ? s[2] : 0, 0 };

			if (sae_unhex(byte, 1, hex) != 1 || byte[0] == 0) {
				free(out);
				return NULL;
			}
			*o++ = (char)byte[0];
			s += 3;
		} else
			*o++ = *s++;
	}
	*o = '\0';
	return out;
}

/* A Uri must name a file inside the package, relatively and plainly. */
static const char *
uri_problem(const char *uri)
{
	const char *p;

	if (*uri == '\0')
		return "est vide";
	if (strchr(uri, '\\') != NULL)
		return "contient une barre oblique inverse";
	if (*uri == '/')
		return "est absolue";
	for (p = uri; *p != '\0' && *p != '/'; p++)
		if (*p == ':')
			return "n'est pas relative (elle porte un schéma)";
	for (p = uri; p != NULL; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || !p[2]))
			return "remonte hors du paquet (« .. »)";
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Checks of the manifest against the package and the DUA table.       */

static void
check_agency(struct job *j)
{
	const struct token_info *p = j->req->producer;
	const char *declared = j->tr->originating_agency;

	if (p->agency[0] != '\0') {
		if (declared != NULL && strcmp(declared, p->agency) != 0) {
			seda_report_add(&j->report, SEDA_KO, "CHECK_AGENCY",
			    "200", "Le service producteur déclaré '%s' n'est "
			    "pas celui du jeton de versement ('%s')", declared,
			    p->agency);
			return;
		}
		j->agency = p->agency;
	} else
		j->agency = declared;
	seda_report_add(&j->report, SEDA_OK, "CHECK_AGENCY", NULL,
	    "Service producteur accepté : %s", j->agency != NULL ? j->agency :
	    p->name);
}

static void
check_objects(struct job *j)
{
	struct package *pkg = j->pkg;
	size_t i, k, nko = 0;
	unsigned char *used;

	j->nobjs = j->tr->nobjects;
	j->objs = sae_xcalloc(j->nobjs ? j->nobjs : 1, sizeof(*j->objs));
	j->entry_obj = sae_xcalloc(pkg->nentries ? pkg->nentries : 1,
	    sizeof(*j->entry_obj));
	used = sae_xcalloc(pkg->nentries ? pkg->nentries : 1, 1);
	for (i = 0; i < pkg->nentries; i++)
		j->entry_obj[i] = NONE;
	for (i = 0; i < j->nobjs; i++) {
		const struct seda_object *so = &j->tr->objects[i];
		struct obj *o = &j->objs[i];
		const struct package_entry *pe;
		const char *why;
		struct sae_err derr;
		char *decoded;

		o->so = so;
		o->entry = NONE;
		o->next = NONE;
		o->alg = -1;
		sae_id_new(o->id);
		if (so->physical)
			continue;
		if (so->attachment || so->uri == NULL) {
			seda_report_add(&j->report, SEDA_KO, "CHECK_OBJECTS",
			    "211", "L'objet %s n'a pas d'attribut Uri : les "
			    "objets joints (Attachment) ne sont pas acceptés",
			    so->id);
			nko++;
			continue;
		}
		if ((why = uri_problem(so->uri)) != NULL) {
			seda_report_add(&j->report, SEDA_KO, "CHECK_OBJECTS",
			    "211", "L'Uri '%s' de l'objet %s %s", so->uri,
			    so->id, why);
			nko++;
			continue;
		}
		/* Entry names lose a leading "./"; so does the Uri. */
		pe = package_find(pkg, so->uri[0] == '.' && so->uri[1] == '/' ?
		    so->uri + 2 : so->uri);
		if (pe == NULL && (decoded = uri_decode(so->uri)) != NULL) {
			if (uri_problem(decoded) == NULL)
				pe = package_find(pkg, decoded);
			free(decoded);
		}
		if (pe == NULL) {
			seda_report_add(&j->report, SEDA_KO, "CHECK_OBJECTS",
			    "211", "Le fichier '%s' de l'objet %s est absent "
			    "du paquet", so->uri, so->id);
			nko++;
			continue;
		}
		k = (size_t)(pe - pkg->entries);
		if (j->entry_obj[k] != NONE) {
			/* Two objects may name the same file: it is read and
			 * stored once, and checked against each declaration. */
			size_t last = j->entry_obj[k];

			while (j->objs[last].next != NONE)
				last = j->objs[last].next;
			j->objs[last].next = i;
		} else
			j->entry_obj[k] = i;
		used[k] = 1;
		o->entry = k;
		if (so->digest_alg == NULL || so->digest_value == NULL) {
			seda_report_add(&j->report, SEDA_KO, "CHECK_DIGEST",
			    "207", "L'objet %s n'a pas d'empreinte déclarée",
			    so->id);
			nko++;
			continue;
		}
		if ((o->alg = digest_alg_parse(so->digest_alg)) < 0) {
			seda_report_add(&j->report, SEDA_KO, "CHECK_DIGEST",
			    "207", "L'algorithme d'empreinte '%s' de l'objet %s"
			    " n'est pas connu (SHA-512, SHA-256, SHA-384, SHA-1"
			    " ou MD5)", so->digest_alg, so->id);
			nko++;
			continue;
		}
		if (digest_decode((enum digest_alg)o->alg, so->digest_value,
		    o->declared, &derr) == -1) {
			seda_report_add(&j->report, SEDA_KO, "CHECK_DIGEST",
			    "207", "L'empreinte déclarée de l'objet %s est "
			    "illisible : %s", so->id, derr.msg);
			nko++;
			continue;
		}
	}
	for (k = 0; k < pkg->nentries; k++)
		if (!used[k]) {
			seda_report_add(&j->report, SEDA_KO, "CHECK_OBJECTS",
			    "203", "Le fichier '%s' du paquet n'est déclaré par "
			    "aucun objet du manifeste", pkg->entries[k].name);
			nko++;
		}
	free(used);
	if (nko == 0)
		seda_report_add(&j->report, SEDA_OK, "CHECK_OBJECTS", NULL,
		    "%zu objet(s) déclaré(s), tous présents dans le paquet, "
		    "aucun fichier non déclaré", j->nobjs);
}

static void
check_rule_list(struct job *j, const struct seda_management *m,
    const char *where, size_t *nko)
{
	static const enum dua_type map[SEDA_NCATEGORIES] = {
		[SEDA_STORAGE] = DUA_STORAGE,
		[SEDA_APPRAISAL] = DUA_APPRAISAL,
		[SEDA_ACCESS] = DUA_ACCESS,
		[SEDA_DISSEMINATION] = DUA_DISSEMINATION,
		[SEDA_REUSE] = DUA_REUSE,
		[SEDA_CLASSIFICATION] = DUA_CLASSIFICATION,
		[SEDA_HOLD] = DUA_HOLD,
	};
	const struct dua_rule *r;
	size_t c, i;

	for (c = 0; c < SEDA_NCATEGORIES; c++) {
		const struct seda_rules *rs = &m->cat[c];
		size_t n = rs->nrules + rs->nref_non_rule_ids;

		for (i = 0; i < n; i++) {
			const char *id = i < rs->nrules ?
			    rs->rules[i].rule_id :
			    rs->ref_non_rule_ids[i - rs->nrules];

			if ((r = dua_table_find(j->rules, id)) == NULL) {
				seda_report_add(&j->report, SEDA_KO,
				    "CHECK_RULES", "203", "La règle '%s' (%s, "
				    "%s) n'existe pas dans le tableau de "
				    "gestion", id, seda_category_name(c),
				    where);
				(*nko)++;
			} else if (r->type != map[c]) {
				seda_report_add(&j->report, SEDA_KO,
				    "CHECK_RULES", "203", "La règle '%s' est "
				    "déclarée comme %s (%s) mais le tableau de "
				    "gestion en fait une %s", id,
				    seda_category_name(c), where,
				    dua_type_name(r->type));
				(*nko)++;
			}
			if (i < rs->nrules && rs->rules[i].start_date != NULL &&
			    !dua_date_valid(rs->rules[i].start_date)) {
				seda_report_add(&j->report, SEDA_KO,
				    "CHECK_RULES", "203", "La date de début "
				    "'%s' de la règle '%s' (%s) n'est pas une "
				    "date valide", rs->rules[i].start_date, id,
				    where);
				(*nko)++;
			}
		}
	}
}

static void
check_rules(struct job *j)
{
	struct sae_err err;
	size_t i, nko = 0;
	char where[300];

	if (rules_load(j->db, &j->rules, &err) == -1) {
		seda_report_add(&j->report, SEDA_KO, "CHECK_RULES", "102",
		    "Le tableau de gestion est momentanément illisible");
		return;
	}
	check_rule_list(j, &j->tr->mgmt, "ManagementMetadata", &nko);
	for (i = 0; i < j->tr->nunits; i++) {
		if (snprintf(where, sizeof(where), "unité %s",
		    j->tr->units[i].id) >= (int)sizeof(where))
			where[sizeof(where) - 1] = '\0';
		check_rule_list(j, &j->tr->units[i].mgmt, where, &nko);
	}
	if (nko == 0)
		seda_report_add(&j->report, SEDA_OK, "CHECK_RULES", NULL,
		    "Toutes les règles citées existent dans le tableau de "
		    "gestion avec la bonne catégorie");
}

/* ------------------------------------------------------------------ */
/* Streaming objects into the store.                                   */

/* The checks of one object once its file has been read. */
static void
check_result(struct job *j, struct obj *o, const struct package_entry *pe)
{
	o->stored = 1;
	if (o->alg >= 0 && (o->dg.mask & DIGEST_MASK(o->alg)) == 0) {
		seda_report_add(&j->report, SEDA_KO, "CHECK_DIGEST", "207",
		    "L'empreinte %s du fichier '%s' (objet %s) n'a pas pu être "
		    "vérifiée", digest_alg_name(o->alg), pe->name, o->so->id);
		o->stored = 0;
	} else if (o->alg >= 0 && memcmp(o->dg.value[o->alg], o->declared,
	    digest_alg_len((enum digest_alg)o->alg)) != 0) {
		seda_report_add(&j->report, SEDA_KO, "CHECK_DIGEST", "207",
		    "L'empreinte %s du fichier '%s' (objet %s) ne correspond "
		    "pas à celle déclarée", digest_alg_name(o->alg), pe->name,
		    o->so->id);
		o->stored = 0;
	}
	if (o->so->has_size && o->so->size != o->size) {
		seda_report_add(&j->report, SEDA_KO, "CHECK_DIGEST", "207",
		    "Le fichier '%s' (objet %s) fait %llu octets, %llu "
		    "déclarés", pe->name, o->so->id,
		    (unsigned long long)o->size,
		    (unsigned long long)o->so->size);
		o->stored = 0;
	}
	if (o->so->mime_type != NULL &&
	    !format_mime_matches(o->so->mime_type, o->fmt.mime))
		seda_report_add(&j->report, SEDA_WARNING, "CHECK_FORMAT",
		    "205", "Le format déclaré de l'objet %s (%s) diffère du "
		    "format identifié (%s, %s) : les deux sont conservés",
		    o->so->id, o->so->mime_type, o->fmt.mime,
		    o->fmt.description);
}

static int
on_entry(void *arg, const struct package_entry *pe, const void *data,
    size_t len, struct sae_err *err)
{
	struct job *j = arg;
	size_t k = (size_t)(pe - j->pkg->entries), i;
	struct obj *o = &j->objs[j->entry_obj[k]], *other;
	const struct sae_config *cfg = j->ctx->cfg;
	unsigned mask = 0;
	size_t room;

	if (o->w == NULL) {
		const char *names[SAE_MAX_OFFERS];

		for (i = j->entry_obj[k]; i != NONE; i = j->objs[i].next)
			if (j->objs[i].alg >= 0)
				mask |= DIGEST_MASK(j->objs[i].alg);
		/* One stream writes every offer of the current placement. */
		for (i = 0; i < cfg->nplacement[SAE_PLACE_CURRENT]; i++)
			names[i] = cfg->offers[
			    cfg->placement[SAE_PLACE_CURRENT][i]].name;
		if (store_writer_new(&o->w, j->ctx->store, names,
		    cfg->nplacement[SAE_PLACE_CURRENT], mask, err) == -1)
			return -1;
		j->headlen = 0;
	}
	if (data != NULL) {
		room = FORMAT_HEAD_MAX - j->headlen;
		if (room > 0) {
			memcpy(j->head + j->headlen, data,
			    len < room ? len : room);
			j->headlen += len < room ? len : room;
		}
		return store_writer_write(o->w, data, len, err);
	}
	if (store_writer_finish(o->w, &o->dg, &o->size, err) == -1)
		return -1;
	format_identify(j->fmt, j->head, j->headlen,
	    (unsigned long long)o->size, &o->fmt);
	sae_hex(o->sha256, o->dg.value[DIGEST_SHA256], 32);
	sae_hex(o->sha512, o->dg.value[DIGEST_SHA512], 64);
	check_result(j, o, pe);
	for (i = o->next; i != NONE; i = other->next) {
		other = &j->objs[i];
		other->dg = o->dg;
		other->size = o->size;
		other->fmt = o->fmt;
		memcpy(other->sha256, o->sha256, sizeof(o->sha256));
		memcpy(other->sha512, o->sha512, sizeof(o->sha512));
		check_result(j, other, pe);
	}
	return 0;
}

/* The events of the reply for checks that passed on every object. */
static void
summarize_objects(struct job *j, size_t ndone)
{
	if (has_ko(j))
		return;
	seda_report_add(&j->report, SEDA_OK, "CHECK_DIGEST", NULL,
	    "Empreintes et tailles vérifiées pour %zu fichier(s), SHA-256 et "
	    "SHA-512 calculées", ndone);
	if (j->report.worst == SEDA_OK)
		seda_report_add(&j->report, SEDA_OK, "CHECK_FORMAT", NULL,
		    "Formats identifiés (table %s)", FORMAT_TABLE_VERSION);
}

static int
stream_objects(struct job *j, struct sae_err *err)
{
	unsigned char *want;
	size_t i, ndone = 0;
	int rc;

	if ((j->fmt = format_get(err)) == NULL)
		return -1;
	want = sae_xcalloc(j->pkg->nentries ? j->pkg->nentries : 1, 1);
	for (i = 0; i < j->pkg->nentries; i++)
		want[i] = j->entry_obj[i] != NONE;
	j->head = sae_xmalloc(FORMAT_HEAD_MAX);
	rc = package_each(j->pkg, want, on_entry, j, err);
	free(want);
	if (rc == -1) {
		if (err->code != SAE_EINVAL && err->code != SAE_ELIMIT)
			return -1;
		/* The package's fault (a bomb, a truncated entry). */
		seda_report_add(&j->report, SEDA_KO, "CHECK_CONTAINER", "101",
		    "Lecture du paquet interrompue : %s", err->msg);
		return 0;
	}
	for (i = 0; i < j->nobjs; i++)
		if (j->objs[i].stored)
			ndone++;
	summarize_objects(j, ndone);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Effective rules and age (policies/retention.c).                     */

/* Fills one ret_decl from a SEDA rule category; arrays in ${pool}. */
static void
decl_of(const struct seda_rules *rs, struct ret_decl *d)
{
	size_t i;

	memset(d, 0, sizeof(*d));
	d->present = rs->present;
	if (!rs->present)
		return;
	d->nrules = rs->nrules;
	d->rules = sae_xcalloc(rs->nrules ? rs->nrules : 1, sizeof(char *));
	d->starts = sae_xcalloc(rs->nrules ? rs->nrules : 1, sizeof(char *));
	for (i = 0; i < rs->nrules; i++) {
		d->rules[i] = rs->rules[i].rule_id;
		d->starts[i] = rs->rules[i].start_date;
	}
	d->prevent_inheritance = rs->prevent_inheritance;
	d->ref_non_rule_ids = (const char **)rs->ref_non_rule_ids;
	d->nref_non_rule_ids = rs->nref_non_rule_ids;
	d->final_action = rs->final_action;
	if (rs->nrules > 0)
		d->hold_end_date = rs->rules[0].hold_end_date;
}

static void
decl_done(struct ret_decl *d)
{
	free(d->rules);
	free(d->starts);
}

/* The enums of seda/ and policies/ list the rule categories alike. */
_Static_assert((int)SEDA_NCATEGORIES == (int)DUA_NTYPES &&
    (int)SEDA_APPRAISAL == (int)DUA_APPRAISAL &&
    (int)SEDA_HOLD == (int)DUA_HOLD, "rule categories differ");

/* Whether a unit's conflict comes from a parent (said there already). */
static int
conflict_inherited(const struct seda_transfer *tr,
    const struct ret_effective *eff, size_t u)
{
	size_t k;

	for (k = 0; k < tr->units[u].nparents; k++)
		if (eff[tr->units[u].parents[k]].conflict)
			return 1;
	return 0;
}

static int
effective_rules(struct job *j, struct sae_err *err)
{
	const struct seda_transfer *tr = j->tr;
	struct ret_decl meta[DUA_NTYPES];
	struct ret_unit *units;
	struct ret_effective *eff;
	struct ret_defaults def;
	char today[32];
	size_t i, c;
	int ret = -1;

	sae_time_now_iso(today);
	today[10] = '\0';
	daemon_retention_defaults(j->ctx->cfg, &def);
	units = sae_xcalloc(tr->nunits ? tr->nunits : 1, sizeof(*units));
	eff = sae_xcalloc(tr->nunits ? tr->nunits : 1, sizeof(*eff));
	for (c = 0; c < DUA_NTYPES; c++)
		decl_of(&tr->mgmt.cat[c], &meta[c]);
	for (i = 0; i < tr->nunits; i++) {
		for (c = 0; c < DUA_NTYPES; c++)
			decl_of(&tr->units[i].mgmt.cat[c], &units[i].decl[c]);
		units[i].parents = tr->units[i].parents;
		units[i].nparents = tr->units[i].nparents;
	}
	if (retention_compute(j->rules, meta, units, tr->nunits, &def, today,
	    eff, err) == -1)
		goto out;
	for (i = 0; i < tr->nunits; i++) {
		struct appraisal *a = &j->appr[i];
		const struct ret_effective *e = &eff[i];
		const struct seda_rules *own =
		    &tr->units[i].mgmt.cat[SEDA_APPRAISAL];
		const struct dua_rule *row;
		const char *table;

		/* The rule that gives the end date, as ages.c stores it. */
		if (e->nrules[DUA_APPRAISAL] > 0) {
			a->rule = e->rules[DUA_APPRAISAL][e->dua_rule].rule_id;
			a->start = e->rules[DUA_APPRAISAL][e->dua_rule].start;
		}
		snprintf(a->end, sizeof(a->end), "%s", e->dua_end);
		a->final = e->final_action != DUA_FINAL_NONE ?
		    dua_final_name(e->final_action) : NULL;
		a->age = retention_age_name(retention_age(e, today));
		a->held = e->held;
		snprintf(a->hold_end, sizeof(a->hold_end), "%s", e->hold_end);
		snprintf(a->current_end, sizeof(a->current_end), "%s",
		    e->current_end);
		/* Say it where the package declared it: on the unit, or once
		 * for ManagementMetadata. */
		row = a->rule != NULL ? dua_table_find(j->rules, a->rule) :
		    NULL;
		table = row != NULL && row->final_action != DUA_FINAL_NONE ?
		    dua_final_name(row->final_action) : NULL;
		if (table != NULL && e->declared_final != NULL &&
		    strcasecmp(table, e->declared_final) != 0 &&
		    (own->final_action != NULL || (!j->meta_warned &&
		    tr->units[i].nparents == 0 &&
		    tr->mgmt.cat[SEDA_APPRAISAL].final_action != NULL))) {
			if (own->final_action == NULL)
				j->meta_warned = 1;
			seda_report_add(&j->report, SEDA_WARNING, "CHECK_RULES",
			    NULL, "La règle %s du tableau de gestion prévoit le "
			    "sort final %s, le paquet déclare %s (%s) : %s, plus "
			    "protecteur, s'applique", a->rule, table,
			    e->declared_final, own->final_action ?
			    tr->units[i].id : "ManagementMetadata", a->final);
		}
		if (e->conflict && !conflict_inherited(tr, eff, i))
			seda_report_add(&j->report, SEDA_WARNING, "CHECK_RULES",
			    NULL, "L'unité %s hérite de sorts finaux "
			    "contradictoires : elle ne sera pas éliminée sans "
			    "décision d'un archiviste", tr->units[i].id);
	}
	ret = 0;
out:
	for (i = 0; i < tr->nunits; i++) {
		for (c = 0; c < DUA_NTYPES; c++)
			decl_done(&units[i].decl[c]);
		retention_free(&eff[i]);
	}
	for (c = 0; c < DUA_NTYPES; c++)
		decl_done(&meta[c]);
	free(units);
	free(eff);
	return ret;
}


/* ------------------------------------------------------------------ */
/* Recording.                                                          */

/* ------------------------------------------------------------------ */

static int
replay(struct job *j, struct sae_err *err)
{
	sqlite3_stmt *st;
	char hex[65];
	int rc;

	sae_hex(hex, j->req->sha256, 32);
	st = catalog_prepare(j->db, "SELECT id, reply, http_status, status "
	    "FROM transfer WHERE producer = ? AND package_sha256 = ? ORDER BY "
	    "seq LIMIT 1", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, j->req->producer->id);
	catalog_bind_text(st, 2, hex);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(j->res->transfer_id, sizeof(j->res->transfer_id),
		    "%s", catalog_text(st, 0));
		sae_buf_add(&j->res->reply, sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1));
		j->res->http_status = sqlite3_column_int(st, 2);
		snprintf(j->res->outcome, sizeof(j->res->outcome), "%s",
		    catalog_text(st, 3));
		j->res->replayed = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return catalog_fail(err, j->db, "transfer lookup");
	return rc == SQLITE_ROW;
}

/* Same producer, same MessageIdentifier, other bytes: refused. */
static int
conflict(struct job *j, struct sae_err *err)
{
	sqlite3_stmt *st;
	int rc;

	st = catalog_prepare(j->db, "SELECT id FROM transfer WHERE producer = "
	    "? AND message_id = ? AND status <> 'KO'", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, j->req->producer->id);
	catalog_bind_text(st, 2, j->request_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		seda_report_add(&j->report, SEDA_KO, "CHECK_IDENTIFIER", "300",
		    "Un versement d'identifiant '%s' a déjà été archivé (%s) "
		    "avec un contenu différent : changez MessageIdentifier ou "
		    "renvoyez le même paquet", j->request_id,
		    catalog_text(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return catalog_fail(err, j->db, "transfer lookup");
	return rc == SQLITE_ROW;
}

static int
answer_conflict(struct job *j, struct sae_err *err)
{
	ingest_record_reason(j);
	if (ingest_record_reply(j, 0, err) == -1)
		return -1;
	j->res->http_status = 409;
	snprintf(j->res->outcome, sizeof(j->res->outcome), "KO");
	j->res->transfer_id[0] = '\0';
	return 0;
}

/*
 * The manifest and everything that can be checked without the files'
 * bytes.  Returns 1 for a MessageIdentifier conflict, 0 otherwise (look
 * at the report), -1 when the archive failed.
 */
static int
examine_manifest(struct job *j, struct sae_err *err)
{
	const struct sae_config *cfg = j->ctx->cfg;
	struct seda_limits slim;
	size_t i;
	int rc;

	j->t_open = ms_now();
	seda_report_add(&j->report, SEDA_OK, "CHECK_CONTAINER", NULL, "Paquet "
	    "%s lisible : %zu fichier(s) et un manifest.xml", j->pkg->format,
	    j->pkg->nentries);
	slim.max_depth = (size_t)cfg->max_depth;
	slim.max_units = (size_t)cfg->max_units;
	slim.max_objects = (size_t)cfg->max_units;
	if (seda_parse(&j->tr, j->pkg->manifest.data, j->pkg->manifest.len,
	    j->ctx->schemas, &slim, &j->report, err) == -1)
		return -1;
	if (j->tr == NULL) {
		seda_sniff(j->pkg->manifest.data, j->pkg->manifest.len,
		    &j->version, &j->request_id);
		return 0;
	}
	j->version = j->tr->version;
	j->request_id = sae_xstrdup(j->tr->message_id);
	if (has_ko(j))
		return 0;
	/* Retries are recognised by MessageIdentifier: it must say something
	 * (SEDA 2.1 lets it be empty). */
	if (j->request_id == NULL || j->request_id[strspn(j->request_id,
	    " \t\r\n")] == '\0') {
		seda_report_add(&j->report, SEDA_KO, "CHECK_HEADER", "101",
		    "Le MessageIdentifier du bordereau est vide : il doit "
		    "identifier le versement");
		return 0;
	}
	check_agency(j);
	if ((rc = conflict(j, err)) != 0)
		return rc == -1 ? -1 : 1;
	check_objects(j);
	check_rules(j);
	if (has_ko(j))
		return 0;
	j->unit_ids = sae_xcalloc(j->tr->nunits ? j->tr->nunits : 1,
	    sizeof(*j->unit_ids));
	j->appr = sae_xcalloc(j->tr->nunits ? j->tr->nunits : 1,
	    sizeof(*j->appr));
	for (i = 0; i < j->tr->nunits; i++)
		sae_id_new(j->unit_ids[i]);
	if (effective_rules(j, err) == -1) {
		/* Dates the checks let through but retention cannot use. */
		seda_report_add(&j->report, SEDA_KO, "CHECK_RULES", "203",
		    "Les règles de gestion ne peuvent être calculées : %s",
		    err->msg);
		sae_err_clear(err);
		return 0;
	}
	j->t_check = ms_now();
	return 0;
}

static void
package_limits_of(const struct sae_config *cfg, struct package_limits *lim)
{
	lim->max_entries = cfg->max_entries;
	lim->max_expanded = cfg->max_expanded;
	lim->max_ratio = cfg->max_ratio;
	lim->max_manifest = cfg->max_manifest;
}

/* A package refused by package.c: it speaks to the producer, in French. */
static void
container_refused(struct job *j, struct sae_err *err)
{
	seda_report_add(&j->report, SEDA_KO, "CHECK_CONTAINER", "101", "%s",
	    err->msg);
	sae_err_clear(err);
}

static int
examine(struct job *j, struct sae_err *err)
{
	struct package_limits lim;
	enum package_fault fault = PACKAGE_OK;
	int rc;

	package_limits_of(j->ctx->cfg, &lim);
	if (package_open(&j->pkg, &fault, j->req->spool, &lim, err) == -1) {
		if (fault == PACKAGE_OK)
			return -1;
		container_refused(j, err);
		return 0;
	}
	if ((rc = examine_manifest(j, err)) != 0 || has_ko(j))
		return rc;
	return stream_objects(j, err);
}

static void
job_init(struct job *j, const struct ingest_ctx *ctx,
    const struct ingest_request *req, struct ingest_result *res)
{
	memset(j, 0, sizeof(*j));
	memset(res, 0, sizeof(*res));
	sae_buf_init(&res->reply);
	j->ctx = ctx;
	j->req = req;
	j->res = res;
	seda_report_init(&j->report);
	j->t0 = ms_now();
	sae_id_new(j->tid);
	sae_time_now_iso(j->now);
}

/* After examine: answer and record what it found. */
static int
job_decide(struct job *j, int rc, struct sae_err *err)
{
	int ret;

	if (rc == -1)
		return -1;
	if (rc == 1)
		return answer_conflict(j, err);
	if (has_ko(j))
		return ingest_record_refusal(j, err);
	if ((ret = ingest_record_acceptance(j, err)) == -1 &&
	    err->code == SAE_EEXIST) {
		/* Another connection archived the same MessageIdentifier
		 * meanwhile: answer as if it had come first. */
		sae_buf_reset(&j->res->reply);
		ret = replay(j, err) == 1 ? 0 : -1;
	}
	return ret;
}

static void
job_done(struct job *j)
{
	size_t i;

	for (i = 0; i < j->nobjs; i++)
		store_writer_free(j->objs[i].w);
	if (j->db != NULL)
		catalog_put(j->ctx->catalog, j->db);
	free(j->objs);
	free(j->entry_obj);
	free(j->unit_ids);
	free(j->appr);
	free(j->head);
	format_put(j->fmt);
	free(j->request_id);
	dua_table_free(j->rules);
	seda_transfer_free(j->tr);
	package_free(j->pkg);
	seda_report_done(&j->report);
	sae_buf_done(&j->digest_list);
	sae_buf_done(&j->tsr);
}

int
ingest_run(const struct ingest_ctx *ctx, const struct ingest_request *req,
    struct ingest_result *res, struct sae_err *err)
{
	struct job j;
	int rc, ret = -1;

	job_init(&j, ctx, req, res);
	if ((j.db = catalog_get(ctx->catalog, err)) == NULL)
		goto out;
	if ((rc = replay(&j, err)) != 0) {
		ret = rc == 1 ? 0 : -1;
		goto out;
	}
	ret = job_decide(&j, examine(&j, err), err);
out:
	job_done(&j);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Packages read as they arrive.                                       */

/* One file of the package, as it was streamed into the store. */
struct streamed {
	struct store_writer	*w;
	struct digest_result	 dg;
	uint64_t		 size;
	struct format_result	 fmt;
	int			 open;		/* bytes still coming */
};

struct ingest_stream {
	const struct ingest_ctx	*ctx;
	int			 fd;		/* read end of the pipe */
	uint64_t		 size;
	pthread_t		 thread;
	int			 joined;
	/* what the reader found */
	int			 rc;
	enum package_fault	 fault;
	struct sae_err		 err;
	struct package		*pkg;
	struct streamed		*items;		/* in pkg->entries order */
	size_t			 nitems;
	size_t			 cap;
	unsigned		 mask;		/* digests to compute */
	struct format		*fmt;
	unsigned char		*head;
	size_t			 headlen;
};

#define ALL_DIGESTS	((1u << DIGEST_NALGS) - 1)

/*
 * The algorithms a manifest declares, from its text: only these need
 * computing besides SHA-256 and SHA-512.  Anything unclear: all of them.
 */
static unsigned
declared_algorithms(const char *xml, size_t len)
{
	const char *p = xml, *end = xml + len, *v, *q;
	unsigned mask = 0;
	char name[32];
	int alg;

	while ((p = memmem(p, (size_t)(end - p), "algorithm", 9)) != NULL) {
		p += 9;
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
		    *p == '\r' || *p == '='))
			p++;
		if (p >= end || (*p != '"' && *p != '\''))
			return ALL_DIGESTS;
		v = p + 1;
		if ((q = memchr(v, *p, (size_t)(end - v))) == NULL ||
		    (size_t)(q - v) >= sizeof(name))
			return ALL_DIGESTS;
		memcpy(name, v, (size_t)(q - v));
		name[q - v] = '\0';
		if ((alg = digest_alg_parse(name)) < 0)
			return ALL_DIGESTS;
		mask |= DIGEST_MASK(alg);
		p = q + 1;
	}
	return mask;
}

static int
on_stream_entry(void *arg, const struct package_entry *pe, const void *data,
    size_t len, struct sae_err *err)
{
	struct ingest_stream *s = arg;
	const struct sae_config *cfg = s->ctx->cfg;
	const char *names[SAE_MAX_OFFERS];
	struct streamed *it;
	size_t i, room;

	if (pe == NULL) {
		/* The manifest, before the files that follow it. */
		s->mask = declared_algorithms(data, len);
		return 0;
	}
	if (s->nitems == 0 || !s->items[s->nitems - 1].open) {
		if (s->nitems == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 16;
			s->items = sae_xreallocarray(s->items, s->cap,
			    sizeof(*s->items));
		}
		it = &s->items[s->nitems++];
		memset(it, 0, sizeof(*it));
		it->open = 1;
		for (i = 0; i < cfg->nplacement[SAE_PLACE_CURRENT]; i++)
			names[i] = cfg->offers[
			    cfg->placement[SAE_PLACE_CURRENT][i]].name;
		if (store_writer_new(&it->w, s->ctx->store, names,
		    cfg->nplacement[SAE_PLACE_CURRENT], s->mask, err) == -1)
			return -1;
		s->headlen = 0;
	}
	it = &s->items[s->nitems - 1];
	if (data != NULL) {
		room = FORMAT_HEAD_MAX - s->headlen;
		if (room > 0) {
			memcpy(s->head + s->headlen, data,
			    len < room ? len : room);
			s->headlen += len < room ? len : room;
		}
		return store_writer_write(it->w, data, len, err);
	}
	it->open = 0;
	if (store_writer_finish(it->w, &it->dg, &it->size, err) == -1)
		return -1;
	format_identify(s->fmt, s->head, s->headlen,
	    (unsigned long long)it->size, &it->fmt);
	return 0;
}

static void *
stream_reader(void *arg)
{
	struct ingest_stream *s = arg;
	struct package_limits lim;

	package_limits_of(s->ctx->cfg, &lim);
	s->rc = package_stream(&s->pkg, &s->fault, s->fd, s->size, &lim,
	    on_stream_entry, s, &s->err);
	/* Stopped early or not, the writer must not block on a full pipe. */
	close(s->fd);
	s->fd = -1;
	return NULL;
}

int
ingest_stream_start(struct ingest_stream **out, const struct ingest_ctx *ctx,
    uint64_t size, int *write_fd, struct sae_err *err)
{
	struct ingest_stream *s;
	int fds[2];

	*out = NULL;
	if (pipe2(fds, O_CLOEXEC) == -1)
		return sae_err_sys(err, SAE_EIO, "cannot make a pipe");
	/* A larger pipe lets the network and the store run side by side. */
	(void)fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
	s = sae_xcalloc(1, sizeof(*s));
	s->ctx = ctx;
	s->fd = fds[0];
	s->size = size;
	s->mask = ALL_DIGESTS;
	s->head = sae_xmalloc(FORMAT_HEAD_MAX);
	if ((s->fmt = format_get(err)) == NULL ||
	    pthread_create(&s->thread, NULL, stream_reader, s) != 0) {
		if (s->fmt != NULL)
			sae_err_set(err, SAE_EINTERNAL, "cannot start a "
			    "reader thread");
		close(fds[0]);
		close(fds[1]);
		format_put(s->fmt);
		free(s->head);
		free(s);
		return -1;
	}
	*write_fd = fds[1];
	*out = s;
	return 0;
}

static void
stream_free(struct ingest_stream *s)
{
	size_t i;

	if (!s->joined)
		pthread_join(s->thread, NULL);
	for (i = 0; i < s->nitems; i++)
		store_writer_free(s->items[i].w);
	free(s->items);
	package_free(s->pkg);
	format_put(s->fmt);
	free(s->head);
	free(s);
}

void
ingest_stream_abort(struct ingest_stream *s)
{
	if (s != NULL)
		stream_free(s);
}

/* Gives the files read as they came to the objects that declare them. */
static void
attach_streamed(struct job *j, struct ingest_stream *s)
{
	size_t k, i, ndone = 0;

	for (k = 0; k < j->pkg->nentries && k < s->nitems; k++) {
		struct streamed *it = &s->items[k];
		struct obj *o, *other;

		if (j->entry_obj[k] == NONE)
			continue;	/* undeclared: already refused */
		o = &j->objs[j->entry_obj[k]];
		o->w = it->w;
		it->w = NULL;
		o->dg = it->dg;
		o->size = it->size;
		o->fmt = it->fmt;
		sae_hex(o->sha256, o->dg.value[DIGEST_SHA256], 32);
		sae_hex(o->sha512, o->dg.value[DIGEST_SHA512], 64);
		for (i = j->entry_obj[k]; i != NONE; i = other->next) {
			other = &j->objs[i];
			if (other != o) {
				other->dg = o->dg;
				other->size = o->size;
				other->fmt = o->fmt;
				memcpy(other->sha256, o->sha256,
				    sizeof(o->sha256));
				memcpy(other->sha512, o->sha512,
				    sizeof(o->sha512));
			}
			check_result(j, other, &j->pkg->entries[k]);
			if (other->stored)
				ndone++;
		}
	}
	summarize_objects(j, ndone);
}

int
ingest_stream_finish(struct ingest_stream *s, const struct ingest_request *req,
    struct ingest_result *res, struct sae_err *err)
{
	struct job j;
	int rc, ret = -1;

	pthread_join(s->thread, NULL);
	s->joined = 1;
	job_init(&j, s->ctx, req, res);
	if ((j.db = catalog_get(s->ctx->catalog, err)) == NULL)
		goto out;
	if ((rc = replay(&j, err)) != 0) {
		ret = rc == 1 ? 0 : -1;
		goto out;
	}
	if (s->rc == -1) {
		if (s->fault == PACKAGE_OK) {
			*err = s->err;
			goto out;
		}
		container_refused(&j, &s->err);
		ret = job_decide(&j, 0, err);
		goto out;
	}
	j.pkg = s->pkg;
	s->pkg = NULL;
	if ((rc = examine_manifest(&j, err)) == 0 && !has_ko(&j))
		attach_streamed(&j, s);
	ret = job_decide(&j, rc, err);
out:
	job_done(&j);
	stream_free(s);
	return ret;
}

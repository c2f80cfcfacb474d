/*
 * ingest.c: one package from spool to reply.  Reads the package (package.c),
 * the manifest (seda/), checks objects and rules, streams every object
 * into the store while hashing it, time-stamps the digest list, and
 * records everything in one catalog transaction with its journal entries.
 * Touches the store, the catalog and the TSA; never the file system
 * directly, never a path taken from the package.
 */
#include "config.h"

#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "policies/dua.h"
#include "sae/catalog.h"
#include "sae/format.h"
#include "sae/id.h"
#include "sae/ingest.h"
#include "sae/journal.h"
#include "sae/log.h"
#include "sae/package.h"
#include "sae/rules.h"
#include "sae/tsa.h"
#include "sae/xmalloc.h"
#include "seda/seda.h"
#include "storage/store.h"

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

/* The effective appraisal rule of a unit, until retention computes all. */
struct appraisal {
	int		 state;		/* 0 todo, 1 visiting, 2 done */
	const char	*rule;
	const char	*start;
	const char	*final;		/* effective: table and package reconciled */
	const char	*declared;	/* as the package says, inherited */
	char		 end[11];
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

static double
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ------------------------------------------------------------------ */
/* Small helpers.                                                     */

static int
has_ko(const struct job *j)
{
	return j->report.worst == SEDA_KO;
}

static void
first_reason(struct job *j)
{
	size_t i;

	for (i = 0; i < j->report.n; i++)
		if (j->report.items[i].outcome == SEDA_KO ||
		    (j->report.worst == SEDA_WARNING &&
		    j->report.items[i].outcome == SEDA_WARNING)) {
			snprintf(j->res->reason, sizeof(j->res->reason), "%s",
			    j->report.items[i].message);
			return;
		}
}

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

/* Objects durable on every offer of the current placement. */
static int
commit_objects(struct job *j, struct sae_err *err)
{
	size_t i;

	for (i = 0; i < j->nobjs; i++) {
		struct obj *o = &j->objs[i];

		if (o->w == NULL)
			continue;
		/* The writer was opened on every offer of the placement. */
		if (store_writer_commit(o->w, err) == -1)
			return -1;
		store_writer_free(o->w);
		o->w = NULL;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Effective appraisal rule (simple inheritance; retention refines it). */

static int
excluded(const struct seda_rules *rs, const char *id)
{
	size_t i;

	for (i = 0; i < rs->nref_non_rule_ids; i++)
		if (!strcmp(rs->ref_non_rule_ids[i], id))
			return 1;
	return 0;
}

/* Keep > Sort > Destroy: where the table and the package disagree, the
 * more protective final action applies. */
static int
protection(const char *final)
{
	if (final == NULL)
		return 0;
	if (!strcasecmp(final, "Destroy"))
		return 1;
	if (!strcasecmp(final, "Sort"))
		return 2;
	return 3;
}

static void
appraise(struct job *j, size_t u)
{
	struct appraisal *a = &j->appr[u];
	const struct seda_unit *su = &j->tr->units[u];
	const struct seda_rules *own = &su->mgmt.cat[SEDA_APPRAISAL];
	const struct seda_rules *meta = &j->tr->mgmt.cat[SEDA_APPRAISAL];
	const struct dua_rule *row;
	const char *where = NULL, *table;

	if (a->state != 0)
		return;
	a->state = 1;
	if (own->nrules > 0) {
		a->rule = own->rules[0].rule_id;
		a->start = own->rules[0].start_date;
	} else if (!own->prevent_inheritance) {
		if (su->nparents > 0) {
			appraise(j, su->parents[0]);
			if (j->appr[su->parents[0]].state == 2) {
				a->rule = j->appr[su->parents[0]].rule;
				a->start = j->appr[su->parents[0]].start;
				a->declared = j->appr[su->parents[0]].declared;
			}
		} else if (meta->nrules > 0) {
			a->rule = meta->rules[0].rule_id;
			a->start = meta->rules[0].start_date;
			a->declared = meta->final_action;
			if (!j->meta_warned) {
				where = "ManagementMetadata";
				j->meta_warned = 1;
			}
		}
		if (a->rule != NULL && excluded(own, a->rule))
			a->rule = a->start = NULL;
	}
	if (own->final_action != NULL) {
		a->declared = own->final_action;
		where = su->id;
	}
	a->final = a->declared;
	if (a->rule != NULL &&
	    (row = dua_table_find(j->rules, a->rule)) != NULL) {
		if (row->final_action != DUA_FINAL_NONE) {
			table = dua_final_name(row->final_action);
			if (protection(table) >= protection(a->declared))
				a->final = table;
			if (where != NULL && a->declared != NULL &&
			    strcasecmp(a->declared, table) != 0)
				seda_report_add(&j->report, SEDA_WARNING,
				    "CHECK_RULES", NULL, "La règle %s du "
				    "tableau de gestion prévoit le sort final "
				    "%s, le paquet déclare %s (%s) : %s, plus "
				    "protecteur, s'applique", a->rule, table,
				    a->declared, where, a->final);
		}
		if (a->start != NULL && row->has_duration && !row->unlimited &&
		    dua_date_add(a->start, row->duration, row->measure, a->end,
		    NULL) == -1)
			a->end[0] = '\0';
	}
	a->state = 2;
}

/* ------------------------------------------------------------------ */
/* Recording.                                                          */

static void
build_digest_list(struct job *j)
{
	size_t i;

	sae_buf_printf(&j->digest_list, "sae-digest-list 1\ntransfer %s\n"
	    "package-sha256 ", j->tid);
	sae_buf_add_hex(&j->digest_list, j->req->sha256, 32);
	sae_buf_printf(&j->digest_list, "\npackage-size %llu\n",
	    (unsigned long long)j->req->size);
	for (i = 0; i < j->nobjs; i++) {
		const struct obj *o = &j->objs[i];

		if (o->so->physical)
			continue;
		sae_buf_printf(&j->digest_list, "object %s sha256 %s sha512 %s "
		    "size %llu\n", o->id, o->sha256, o->sha512,
		    (unsigned long long)o->size);
	}
}

static int
stamp(struct job *j, struct sae_err *err)
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	build_digest_list(j);
	SHA256((const unsigned char *)j->digest_list.data, j->digest_list.len,
	    md);
	if (tsa_stamp(j->ctx->tsa, "sha256", md, sizeof(md), &j->tsr,
	    err) == -1)
		return -1;
	seda_report_add(&j->report, SEDA_OK, "TIMESTAMP", NULL, "Liste des "
	    "empreintes horodatée (RFC 3161)");
	return 0;
}

static int
make_reply(struct job *j, int with_units, struct sae_err *err)
{
	struct seda_reply_unit *units = NULL;
	struct seda_reply r;
	char mid[64];
	size_t i;
	int rc;

	memset(&r, 0, sizeof(r));
	if (snprintf(mid, sizeof(mid), "ATR-%s", j->tid) >= (int)sizeof(mid))
		return sae_err_set(err, SAE_EINTERNAL, "reply id too long");
	r.version = j->version;
	r.message_id = mid;
	r.request_id = j->request_id != NULL && *j->request_id != '\0' ?
	    j->request_id : "inconnu";
	r.date = j->now;
	r.grant_date = with_units ? j->now : NULL;
	r.archival_agreement = j->tr != NULL ? j->tr->archival_agreement :
	    NULL;
	r.archival_agency = j->ctx->cfg->archival_agency;
	r.transferring_agency = j->tr != NULL &&
	    j->tr->transferring_agency != NULL ? j->tr->transferring_agency :
	    j->req->producer->name;
	r.code_list_version = "sae-reply-1";
	r.report = &j->report;
	if (with_units && j->tr != NULL) {
		units = sae_xcalloc(j->tr->nunits ? j->tr->nunits : 1,
		    sizeof(*units));
		for (i = 0; i < j->tr->nunits; i++) {
			units[i].xml_id = j->tr->units[i].id;
			units[i].system_id = j->unit_ids[i];
		}
		r.units = units;
		r.nunits = j->tr->nunits;
	}
	sae_buf_reset(&j->res->reply);
	rc = seda_reply_write(&j->res->reply, &r, err);
	free(units);
	return rc;
}

static int
step_done(sqlite3_stmt *st, sqlite3 *db, struct sae_err *err,
    const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, what);
	return 0;
}

static int
insert_transfer(struct job *j, const char *status, int http,
    struct sae_err *err)
{
	sqlite3_stmt *st;
	char hex[65];
	uint64_t bytes = 0;
	size_t i, nobj = 0;
	int rc;

	for (i = 0; i < j->nobjs; i++)
		if (!j->objs[i].so->physical && j->objs[i].stored) {
			bytes += j->objs[i].size;
			nobj++;
		}
	sae_hex(hex, j->req->sha256, 32);
	st = catalog_prepare(j->db, "INSERT INTO transfer (id, seq, producer, "
	    "agency, message_id, seda_version, package_sha256, package_size, "
	    "status, http_status, received, reply, digest_list, tsr, "
	    "archival_agreement, transferring_agency, units, objects, bytes) "
	    "VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM transfer), "
	    "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", err);
	if (st == NULL)
		return -1;
	catalog_bind_text(st, 1, j->tid);
	sqlite3_bind_int64(st, 2, j->req->producer->id);
	catalog_bind_text(st, 3, j->agency);
	catalog_bind_text(st, 4, j->request_id);
	catalog_bind_text(st, 5, seda_version_name(j->version));
	catalog_bind_text(st, 6, hex);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)j->req->size);
	catalog_bind_text(st, 8, status);
	sqlite3_bind_int(st, 9, http);
	catalog_bind_text(st, 10, j->now);
	sqlite3_bind_blob(st, 11, j->res->reply.data, (int)j->res->reply.len,
	    SQLITE_TRANSIENT);
	if (j->digest_list.len > 0)
		sqlite3_bind_blob(st, 12, j->digest_list.data,
		    (int)j->digest_list.len, SQLITE_TRANSIENT);
	if (j->tsr.len > 0)
		sqlite3_bind_blob(st, 13, j->tsr.data, (int)j->tsr.len,
		    SQLITE_TRANSIENT);
	catalog_bind_text(st, 14, j->tr ? j->tr->archival_agreement : NULL);
	catalog_bind_text(st, 15, j->tr ? j->tr->transferring_agency : NULL);
	sqlite3_bind_int64(st, 16, http == 201 && j->tr ?
	    (sqlite3_int64)j->tr->nunits : 0);
	sqlite3_bind_int64(st, 17, http == 201 ? (sqlite3_int64)nobj : 0);
	sqlite3_bind_int64(st, 18, http == 201 ? (sqlite3_int64)bytes : 0);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return sae_err_set(err, SAE_EEXIST, "transfer '%s' already "
		    "archived", j->request_id ? j->request_id : "");
	if (rc != SQLITE_DONE)
		return catalog_fail(err, j->db, "transfer insert");
	return 0;
}

static int
journal_transfer(struct job *j, const char *outcome, struct sae_err *err)
{
	struct journal_entry e;
	json_t *d = json_object();
	char hex[65], msg[700], *detail;
	int rc;

	sae_hex(hex, j->req->sha256, 32);
	json_object_set_new(d, "package_sha256", json_string(hex));
	json_object_set_new(d, "package_size", json_integer(
	    (json_int_t)j->req->size));
	if (j->request_id != NULL)
		json_object_set_new(d, "message_id",
		    json_string(j->request_id));
	json_object_set_new(d, "seda", json_string(
	    seda_version_name(j->version)));
	if (j->digest_list.len > 0) {
		unsigned char md[SHA256_DIGEST_LENGTH];

		SHA256((const unsigned char *)j->digest_list.data,
		    j->digest_list.len, md);
		sae_hex(hex, md, sizeof(md));
		json_object_set_new(d, "digest_list_sha256", json_string(hex));
		json_object_set_new(d, "units", json_integer(
		    (json_int_t)j->tr->nunits));
		json_object_set_new(d, "objects", json_integer(
		    (json_int_t)j->nobjs));
	}
	detail = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(d);
	if (!strcmp(outcome, "KO"))
		rc = snprintf(msg, sizeof(msg), "Versement refusé : %s",
		    j->res->reason);
	else
		rc = snprintf(msg, sizeof(msg), "Versement accepté (%s)",
		    outcome);
	if (rc >= (int)sizeof(msg))
		msg[sizeof(msg) - 1] = '\0';
	memset(&e, 0, sizeof(e));
	e.type = "INGEST";
	e.outcome = outcome;
	e.agent = j->req->producer->name;
	e.transfer = j->tid;
	e.message = msg;
	e.detail = detail;
	rc = journal_append(j->db, &e, NULL, err);
	free(detail);
	return rc;
}

static char *
rules_extra(const struct seda_rules *rs, const struct seda_rule *r)
{
	json_t *o = json_object();
	char *s;

	if (r != NULL && r->hold_end_date)
		json_object_set_new(o, "hold_end_date",
		    json_string(r->hold_end_date));
	if (r != NULL && r->hold_owner)
		json_object_set_new(o, "hold_owner", json_string(r->hold_owner));
	if (r != NULL && r->hold_reason)
		json_object_set_new(o, "hold_reason",
		    json_string(r->hold_reason));
	if (r != NULL && r->hold_reassessing_date)
		json_object_set_new(o, "hold_reassessing_date",
		    json_string(r->hold_reassessing_date));
	if (r != NULL && r->prevent_rearrangement >= 0)
		json_object_set_new(o, "prevent_rearrangement",
		    json_boolean(r->prevent_rearrangement));
	if (rs->classification_level)
		json_object_set_new(o, "classification_level",
		    json_string(rs->classification_level));
	if (rs->classification_owner)
		json_object_set_new(o, "classification_owner",
		    json_string(rs->classification_owner));
	if (json_object_size(o) == 0) {
		json_decref(o);
		return NULL;
	}
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

/* The rules as the package declares them, to recompute them any time. */
static int
insert_declared(struct job *j, sqlite3_stmt *st,
    const struct seda_management *m, sqlite3_int64 unit, struct sae_err *err)
{
	size_t c, i;

	for (c = 0; c < SEDA_NCATEGORIES; c++) {
		const struct seda_rules *rs = &m->cat[c];
		size_t rows = rs->nrules + rs->nref_non_rule_ids;

		if (!rs->present)
			continue;
		if (rows == 0)
			rows = 1;	/* PreventInheritance or FinalAction alone */
		for (i = 0; i < rows; i++) {
			const struct seda_rule *r = i < rs->nrules ?
			    &rs->rules[i] : NULL;
			char *extra = rules_extra(rs, r);

			catalog_bind_text(st, 1, j->tid);
			if (unit > 0)
				sqlite3_bind_int64(st, 2, unit);
			catalog_bind_text(st, 3, seda_category_name(c));
			catalog_bind_text(st, 4, r ? r->rule_id : NULL);
			catalog_bind_text(st, 5, r ? r->start_date : NULL);
			sqlite3_bind_int(st, 6, rs->prevent_inheritance);
			catalog_bind_text(st, 7, i >= rs->nrules &&
			    i - rs->nrules < rs->nref_non_rule_ids ?
			    rs->ref_non_rule_ids[i - rs->nrules] : NULL);
			catalog_bind_text(st, 8, rs->final_action);
			catalog_bind_text(st, 9, extra);
			free(extra);
			if (step_done(st, j->db, err, "declared rule") == -1)
				return -1;
		}
	}
	return 0;
}

static int
insert_units(struct job *j, sqlite3_int64 *useq, struct sae_err *err)
{
	sqlite3_stmt *st = NULL, *dr = NULL;
	size_t i;
	int ret = -1;

	st = catalog_prepare(j->db, "INSERT INTO unit (id, transfer, xml_id, "
	    "producer, agency, title, level, start_date, end_date, content, "
	    "management, rule, rule_start, rule_end, final_action, created) "
	    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", err);
	dr = catalog_prepare(j->db, "INSERT INTO declared_rule (transfer, unit,"
	    " category, rule, start_date, prevent_inheritance, ref_non_rule, "
	    "final_action, extra) VALUES (?,?,?,?,?,?,?,?,?)", err);
	if (st == NULL || dr == NULL)
		goto out;
	if (insert_declared(j, dr, &j->tr->mgmt, 0, err) == -1)
		goto out;
	for (i = 0; i < j->tr->nunits; i++) {
		const struct seda_unit *u = &j->tr->units[i];
		const struct appraisal *a = &j->appr[i];

		catalog_bind_text(st, 1, j->unit_ids[i]);
		catalog_bind_text(st, 2, j->tid);
		catalog_bind_text(st, 3, u->id);
		sqlite3_bind_int64(st, 4, j->req->producer->id);
		catalog_bind_text(st, 5, j->agency);
		catalog_bind_text(st, 6, u->title ? u->title : "");
		catalog_bind_text(st, 7, u->description_level);
		catalog_bind_text(st, 8, u->start_date);
		catalog_bind_text(st, 9, u->end_date);
		sqlite3_bind_blob(st, 10, u->content_xml ? u->content_xml : "",
		    u->content_xml ? (int)strlen(u->content_xml) : 0,
		    SQLITE_TRANSIENT);
		if (u->management_xml != NULL)
			sqlite3_bind_blob(st, 11, u->management_xml,
			    (int)strlen(u->management_xml), SQLITE_TRANSIENT);
		catalog_bind_text(st, 12, a->rule);
		catalog_bind_text(st, 13, a->start);
		catalog_bind_text(st, 14, a->end[0] ? a->end : NULL);
		catalog_bind_text(st, 15, a->final);
		catalog_bind_text(st, 16, j->now);
		if (step_done(st, j->db, err, "unit insert") == -1)
			goto out;
		useq[i] = sqlite3_last_insert_rowid(j->db);
		if (insert_declared(j, dr, &u->mgmt, useq[i], err) == -1)
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(dr);
	return ret;
}

static int
insert_links(struct job *j, const sqlite3_int64 *useq, struct sae_err *err)
{
	sqlite3_stmt *par = NULL, *grp = NULL, *ug = NULL, *obj = NULL,
	    *cp = NULL;
	const struct sae_config *cfg = j->ctx->cfg;
	sqlite3_int64 *gseq = NULL;
	size_t i, k;
	int ret = -1;

	par = catalog_prepare(j->db, "INSERT OR IGNORE INTO unit_parent "
	    "(unit, parent) VALUES (?,?)", err);
	grp = catalog_prepare(j->db, "INSERT INTO object_group (transfer, "
	    "xml_id) VALUES (?,?)", err);
	ug = catalog_prepare(j->db, "INSERT OR IGNORE INTO unit_group (unit, "
	    "grp) VALUES (?,?)", err);
	obj = catalog_prepare(j->db, "INSERT INTO object (id, transfer, grp, "
	    "xml_id, version, physical, uri, filename, size, sha256, sha512, "
	    "declared_algorithm, declared_digest, declared_mime, declared_puid,"
	    " declared_format, mime, puid, format, physical_id) VALUES "
	    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", err);
	cp = catalog_prepare(j->db, "INSERT OR IGNORE INTO copy (sha256, "
	    "offer, size, created) VALUES (?,?,?,?)", err);
	if (par == NULL || grp == NULL || ug == NULL || obj == NULL ||
	    cp == NULL)
		goto out;
	for (i = 0; i < j->tr->nunits; i++)
		for (k = 0; k < j->tr->units[i].nparents; k++) {
			sqlite3_bind_int64(par, 1, useq[i]);
			sqlite3_bind_int64(par, 2,
			    useq[j->tr->units[i].parents[k]]);
			if (step_done(par, j->db, err, "unit parent") == -1)
				goto out;
		}
	gseq = sae_xcalloc(j->tr->ngroups ? j->tr->ngroups : 1,
	    sizeof(*gseq));
	for (i = 0; i < j->tr->ngroups; i++) {
		catalog_bind_text(grp, 1, j->tid);
		catalog_bind_text(grp, 2, j->tr->groups[i].id);
		if (step_done(grp, j->db, err, "object group") == -1)
			goto out;
		gseq[i] = sqlite3_last_insert_rowid(j->db);
		for (k = 0; k < j->tr->groups[i].nobjects; k++) {
			const struct obj *o =
			    &j->objs[j->tr->groups[i].objects[k]];
			const struct seda_object *so = o->so;

			catalog_bind_text(obj, 1, o->id);
			catalog_bind_text(obj, 2, j->tid);
			sqlite3_bind_int64(obj, 3, gseq[i]);
			catalog_bind_text(obj, 4, so->id);
			catalog_bind_text(obj, 5, so->version);
			sqlite3_bind_int(obj, 6, so->physical);
			catalog_bind_text(obj, 7, so->uri);
			catalog_bind_text(obj, 8, so->filename);
			catalog_bind_text(obj, 12, so->digest_alg);
			catalog_bind_text(obj, 13, so->digest_value);
			catalog_bind_text(obj, 14, so->mime_type);
			catalog_bind_text(obj, 15, so->format_id);
			catalog_bind_text(obj, 16, so->format_litteral);
			catalog_bind_text(obj, 20, so->physical_id);
			if (!so->physical) {
				sqlite3_bind_int64(obj, 9,
				    (sqlite3_int64)o->size);
				catalog_bind_text(obj, 10, o->sha256);
				catalog_bind_text(obj, 11, o->sha512);
				catalog_bind_text(obj, 17, o->fmt.mime);
				catalog_bind_text(obj, 18, o->fmt.puid[0] ?
				    o->fmt.puid : NULL);
				catalog_bind_text(obj, 19, o->fmt.description);
			}
			if (step_done(obj, j->db, err, "object insert") == -1)
				goto out;
			if (so->physical)
				continue;
			for (size_t p = 0; p <
			    cfg->nplacement[SAE_PLACE_CURRENT]; p++) {
				catalog_bind_text(cp, 1, o->sha256);
				catalog_bind_text(cp, 2, cfg->offers[
				    cfg->placement[SAE_PLACE_CURRENT][p]].name);
				sqlite3_bind_int64(cp, 3,
				    (sqlite3_int64)o->size);
				catalog_bind_text(cp, 4, j->now);
				if (step_done(cp, j->db, err, "copy") == -1)
					goto out;
			}
		}
	}
	for (i = 0; i < j->tr->nunits; i++)
		for (k = 0; k < j->tr->units[i].ngroups; k++) {
			sqlite3_bind_int64(ug, 1, useq[i]);
			sqlite3_bind_int64(ug, 2,
			    gseq[j->tr->units[i].groups[k]]);
			if (step_done(ug, j->db, err, "unit group") == -1)
				goto out;
		}
	ret = 0;
out:
	free(gseq);
	sqlite3_finalize(par);
	sqlite3_finalize(grp);
	sqlite3_finalize(ug);
	sqlite3_finalize(obj);
	sqlite3_finalize(cp);
	return ret;
}

static int
journal_units(struct job *j, struct sae_err *err)
{
	struct journal_entry e;
	size_t i, g, k;
	int rc = 0;

	for (i = 0; i < j->tr->nunits && rc == 0; i++) {
		const struct seda_unit *u = &j->tr->units[i];
		json_t *d = json_object(), *objs = json_array();
		char *detail;

		json_object_set_new(d, "xml_id", json_string(u->id));
		if (j->appr[i].rule != NULL)
			json_object_set_new(d, "rule",
			    json_string(j->appr[i].rule));
		for (g = 0; g < u->ngroups; g++) {
			const struct seda_group *gr = &j->tr->groups[u->groups[g]];

			for (k = 0; k < gr->nobjects; k++) {
				const struct obj *o = &j->objs[gr->objects[k]];
				json_t *oj = json_object();

				json_object_set_new(oj, "id",
				    json_string(o->id));
				if (!o->so->physical) {
					json_object_set_new(oj, "sha256",
					    json_string(o->sha256));
					json_object_set_new(oj, "sha512",
					    json_string(o->sha512));
					json_object_set_new(oj, "size",
					    json_integer((json_int_t)o->size));
				}
				json_array_append_new(objs, oj);
			}
		}
		json_object_set_new(d, "objects", objs);
		detail = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(d);
		memset(&e, 0, sizeof(e));
		e.type = "UNIT_INGEST";
		e.outcome = "OK";
		e.agent = j->req->producer->name;
		e.transfer = j->tid;
		e.unit = j->unit_ids[i];
		e.message = "Unité archivée";
		e.detail = detail;
		rc = journal_append(j->db, &e, NULL, err);
		free(detail);
	}
	return rc;
}

/* KO: the reply and one journal entry, nothing else. */
static int
record_refusal(struct job *j, struct sae_err *err)
{
	first_reason(j);
	if (make_reply(j, 0, err) == -1)
		return -1;
	if (catalog_begin(j->db, err) == -1)
		return -1;
	if (insert_transfer(j, "KO", 422, err) == -1 ||
	    journal_transfer(j, "KO", err) == -1 ||
	    catalog_commit(j->db, err) == -1) {
		catalog_rollback(j->db);
		return -1;
	}
	j->res->http_status = 422;
	snprintf(j->res->outcome, sizeof(j->res->outcome), "KO");
	snprintf(j->res->transfer_id, sizeof(j->res->transfer_id), "%s",
	    j->tid);
	return 0;
}

static int
record_acceptance(struct job *j, struct sae_err *err)
{
	const char *outcome = j->report.worst == SEDA_WARNING ? "WARNING" :
	    "OK";
	sqlite3_int64 *useq;
	int ret = -1;

	j->t_stream = ms_now();
	if (commit_objects(j, err) == -1)
		return -1;
	j->t_store = ms_now();
	seda_report_add(&j->report, SEDA_OK, "STORAGE", NULL, "Objets "
	    "enregistrés sur %zu offre(s) de stockage",
	    j->ctx->cfg->nplacement[SAE_PLACE_CURRENT]);
	if (stamp(j, err) == -1)
		return -1;
	first_reason(j);
	if (make_reply(j, 1, err) == -1)
		return -1;
	useq = sae_xcalloc(j->tr->nunits ? j->tr->nunits : 1, sizeof(*useq));
	if (catalog_begin(j->db, err) == -1)
		goto out;
	if (insert_transfer(j, outcome, 201, err) == -1 ||
	    insert_units(j, useq, err) == -1 ||
	    insert_links(j, useq, err) == -1 ||
	    journal_transfer(j, outcome, err) == -1 ||
	    journal_units(j, err) == -1)
		goto out;
#ifdef SAE_CRASHPOINTS
	if (getenv("SAE_CRASHPOINT") != NULL &&
	    !strcmp(getenv("SAE_CRASHPOINT"), "ingest-before-commit"))
		abort();
#endif
	if (catalog_commit(j->db, err) == -1)
		goto out;
	j->t_record = ms_now();
	sae_log(LOG_DEBUG, "ingest id=%s timing open=%.0fms check=%.0fms "
	    "stream=%.0fms store=%.0fms record=%.0fms", j->tid,
	    j->t_open - j->t0, j->t_check - j->t_open,
	    j->t_stream - j->t_check, j->t_store - j->t_stream,
	    j->t_record - j->t_store);
	j->res->http_status = 201;
	snprintf(j->res->outcome, sizeof(j->res->outcome), "%s", outcome);
	snprintf(j->res->transfer_id, sizeof(j->res->transfer_id), "%s",
	    j->tid);
	ret = 0;
out:
	if (ret == -1)
		catalog_rollback(j->db);
	free(useq);
	return ret;
}

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
	first_reason(j);
	if (make_reply(j, 0, err) == -1)
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
	for (i = 0; i < j->tr->nunits; i++) {
		sae_id_new(j->unit_ids[i]);
		appraise(j, i);
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
		return record_refusal(j, err);
	if ((ret = record_acceptance(j, err)) == -1 &&
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

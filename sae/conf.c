/*
 * conf.c: reading saed.conf.  One table gives every fixed key its
 * section, type, bounds, default and meaning; [offer NAME] sections and
 * [placement] lists are handled beside it.  Touches only the struct.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "policies/dua.h"
#include "sae/conf.h"
#include "sae/fsutil.h"
#include "sae/xmalloc.h"

enum key_type { K_STR, K_INT, K_SIZE, K_BOOL, K_LOGLEVEL, K_MEASURE, K_CLOCK };

struct key {
	const char	*section;
	const char	*name;
	enum key_type	 type;
	size_t		 offset;
	const char	*def;
	uint64_t	 min, max;
	const char	*doc;
};

#define F(field)	offsetof(struct sae_config, field)
#define GiB		(UINT64_C(1) << 30)
#define MiB		(UINT64_C(1) << 20)

static const struct key keys[] = {
	{ "server", "listen", K_STR, F(listen_host), "127.0.0.1", 0, 0,
	  "address to listen on (HOST or HOST:PORT)" },
	{ "server", "port", K_INT, F(listen_port), "8420", 0, 65535,
	  "TCP port; 0 picks a free one" },
	{ "server", "max_connections", K_INT, F(max_connections), "64", 1,
	  10000, "simultaneous HTTP connections" },
	{ "archive", "identifier", K_STR, F(archival_agency), "SAE", 0, 0,
	  "our ArchivalAgency identifier in SEDA messages" },
	{ "seda", "schemas", K_STR, F(schemas_dir), SAE_DATADIR "/schemas",
	  0, 0, "directory of the official SEDA XSDs (2.1/, 2.2/, 2.3/)" },
	{ "rules", "initial", K_STR, F(initial_rules),
	  SAE_DATADIR "/dua-communes.csv", 0, 0,
	  "DUA table loaded when a new data directory is created" },
	{ "limits", "max_package", K_SIZE, F(max_package), "8G", 1, 0,
	  "largest package accepted, in bytes (K, M, G suffixes)" },
	{ "limits", "max_entries", K_SIZE, F(max_entries), "100000", 1, 0,
	  "most files in one package" },
	{ "limits", "max_expanded", K_SIZE, F(max_expanded), "64G", 1, 0,
	  "largest total size of a package's files once expanded" },
	{ "limits", "max_ratio", K_SIZE, F(max_ratio), "200", 1, 0,
	  "largest expanded/packed size ratio (zip bombs)" },
	{ "limits", "max_manifest", K_SIZE, F(max_manifest), "64M", 1, 0,
	  "largest manifest.xml" },
	{ "limits", "max_depth", K_SIZE, F(max_depth), "200", 8, 10000,
	  "deepest XML element nesting in a manifest" },
	{ "limits", "max_units", K_SIZE, F(max_units), "100000", 1, 0,
	  "most archive units or objects in one manifest" },
	{ "tsa", "policy", K_STR, F(tsa_policy), "1.3.6.1.4.1.99999.1.1", 0,
	  0, "policy OID of the built-in time-stamping authority" },
	{ "tsa", "validity_days", K_INT, F(tsa_validity_days), "3650", 30,
	  36500, "life of the built-in TSA certificate" },
	{ "tsa", "renew_days", K_INT, F(tsa_renew_days), "365", 1, 36499,
	  "the TSA certificate is renewed (and the journal sealed at once) "
	  "when it expires within this many days; less than validity_days" },
	{ "log", "level", K_LOGLEVEL, F(log_level), "info", 0, 0,
	  "error, warning, notice, info or debug" },
	{ "schedule", "ages_hours", K_INT, F(ages_hours), "24", 1, 8760,
	  "hours between two recomputations of the ages at most (they are "
	  "also recomputed when the date or the DUA table changes)" },
	{ "schedule", "audit_days", K_INT, F(audit_days), "7", 0, 3660,
	  "days between two audits of the stored copies (0: only on demand, "
	  "POST /v1/audits or sae-admin audit)" },
	{ "schedule", "audit_sample", K_INT, F(audit_sample), "100", 1, 100,
	  "percent of the copies a scheduled audit reads back" },
	{ "schedule", "disposal_days", K_INT, F(disposal_days), "7", 0, 366,
	  "days between two automatic proposals of disposal lists (0: only "
	  "when an archivist asks)" },
	{ "journal", "seal_minutes", K_INT, F(seal_minutes), "60", 1, 1440,
	  "minutes between two seals of the journal (at most 24 hours; also "
	  "sealed when saed stops)" },
	{ "retention", "current_duration", K_INT, F(current_duration), "1", 0,
	  999, "current-use period when neither the DUA row nor the unit's "
	  "StorageRule gives one" },
	{ "retention", "current_measure", K_MEASURE, F(current_measure),
	  "year", 0, 0, "its unit: day, month or year" },
	{ "storage", "definitive_copies", K_INT, F(definitive_copies), "2",
	  1, SAE_MAX_OFFERS, "copies of a definitive archive, each on its "
	  "own sovereign offer" },
	{ "disposal", "control_authority", K_STR, F(control_authority),
	  "CONTROLE-ARCHIVES", 0, 0, "identifier of the control authority "
	  "whose visa a disposal needs (e.g. the departmental archives)" },
	{ "disposal", "execute_at", K_CLOCK, F(disposal_execute_at), "now", 0,
	  0, "when an approved list is carried out: now, or HH:MM (UTC), the "
	  "next time the clock shows it" },
	{ "export", "days", K_INT, F(export_days), "0", 0, 366,
	  "days between two scheduled reversibility exports of everything "
	  "(0: none)" },
	{ "export", "directory", K_STR, F(export_dir), "exports", 0, 0,
	  "where scheduled exports go (relative paths are under the data "
	  "directory)" },
	{ "export", "keep", K_INT, F(export_keep), "3", 1, 1000,
	  "how many scheduled exports to keep (older ones are removed)" },
	{ "ui", "dir", K_STR, F(ui_dir), SAE_DATADIR "/ui", 0, 0,
	  "directory of the web interface's stylesheets (layout.xsl, ...)" },
	{ "ui", "secure_cookie", K_BOOL, F(ui_secure), "no", 0, 0,
	  "mark the session cookie Secure (yes when a HTTPS proxy serves /ui)" },
	{ "ui", "lines_per_page", K_INT, F(ui_lines), "500", 1, 100000,
	  "lines of a disposal list shown on one page of the web interface" },
};

static const char *const place_names[SAE_NPLACES] = {
	"current", "intermediate", "definitive"
};

struct load {
	struct sae_config	*cfg;
	const char		*path;
	char			 msg[400];
	char			*placement_text[SAE_NPLACES];
};

static int
parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K': v <<= 10; end++; break;
	case 'M': v <<= 20; end++; break;
	case 'G': v <<= 30; end++; break;
	case 'T': v <<= 40; end++; break;
	}
	if (*end == 'i' || *end == 'B')
		end++;
	if (*end == 'B')
		end++;
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

static int
parse_bool(const char *s)
{
	if (!strcasecmp(s, "yes") || !strcasecmp(s, "true") ||
	    !strcmp(s, "1") || !strcasecmp(s, "on"))
		return 1;
	if (!strcasecmp(s, "no") || !strcasecmp(s, "false") ||
	    !strcmp(s, "0") || !strcasecmp(s, "off"))
		return 0;
	return -1;
}

/* "now" → -1, "HH:MM" → minutes after midnight, else -2. */
static int
parse_clock(const char *s)
{
	int h, m, n = 0;

	if (!strcmp(s, "now"))
		return -1;
	if (sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || s[n] != '\0' ||
	    strlen(s) != 5 || h < 0 || h > 23 || m < 0 || m > 59)
		return -2;
	return h * 60 + m;
}

static int
parse_level(const char *s)
{
	static const struct { const char *n; int l; } lv[] = {
		{ "error", LOG_ERR }, { "warning", LOG_WARNING },
		{ "notice", LOG_NOTICE }, { "info", LOG_INFO },
		{ "debug", LOG_DEBUG },
	};
	size_t i;

	for (i = 0; i < sizeof(lv) / sizeof(lv[0]); i++)
		if (!strcasecmp(s, lv[i].n))
			return lv[i].l;
	return -1;
}

static int
set_key(struct load *ld, const struct key *k, const char *value)
{
	char *base = (char *)ld->cfg + k->offset;
	uint64_t v;
	int b;

	switch (k->type) {
	case K_STR:
		free(*(char **)(void *)base);
		*(char **)(void *)base = sae_xstrdup(value);
		return 0;
	case K_INT:
	case K_SIZE:
		if (parse_size(value, &v) == -1 ||
		    v < k->min || (k->max != 0 && v > k->max)) {
			if (k->max != 0)
				snprintf(ld->msg, sizeof(ld->msg), "[%s] %s = "
				    "'%s' is not a number from %llu to %llu",
				    k->section, k->name, value,
				    (unsigned long long)k->min,
				    (unsigned long long)k->max);
			else
				snprintf(ld->msg, sizeof(ld->msg), "[%s] %s = "
				    "'%s' is not a size of at least %llu",
				    k->section, k->name, value,
				    (unsigned long long)k->min);
			return -1;
		}
		if (k->type == K_INT)
			*(int *)(void *)base = (int)v;
		else
			*(uint64_t *)(void *)base = v;
		return 0;
	case K_BOOL:
		if ((b = parse_bool(value)) == -1) {
			snprintf(ld->msg, sizeof(ld->msg),
			    "[%s] %s = '%s' is not yes or no", k->section,
			    k->name, value);
			return -1;
		}
		*(int *)(void *)base = b;
		return 0;
	case K_MEASURE:
		if ((b = dua_measure_parse(value)) < 0) {
			snprintf(ld->msg, sizeof(ld->msg), "[%s] %s = '%s' is "
			    "not day, month or year", k->section, k->name,
			    value);
			return -1;
		}
		*(int *)(void *)base = b;
		return 0;
	case K_CLOCK:
		if ((b = parse_clock(value)) == -2) {
			snprintf(ld->msg, sizeof(ld->msg), "[%s] %s = '%s' is "
			    "not now or a time HH:MM", k->section, k->name,
			    value);
			return -1;
		}
		*(int *)(void *)base = b;
		return 0;
	case K_LOGLEVEL:
		if ((b = parse_level(value)) == -1) {
			snprintf(ld->msg, sizeof(ld->msg), "[log] level = '%s'"
			    " is not error, warning, notice, info or debug",
			    value);
			return -1;
		}
		*(int *)(void *)base = b;
		return 0;
	}
	return -1;
}

static int
valid_offer_name(const char *s)
{
	if (*s == '\0' || strlen(s) > 32)
		return 0;
	for (; *s != '\0'; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s)
		    && *s != '-' && *s != '_')
			return 0;
	return 1;
}

static struct sae_config_offer *
offer_get(struct sae_config *cfg, const char *name, int create)
{
	size_t i;

	for (i = 0; i < cfg->noffers; i++)
		if (!strcmp(cfg->offers[i].name, name))
			return &cfg->offers[i];
	if (!create || cfg->noffers == SAE_MAX_OFFERS)
		return NULL;
	cfg->offers[cfg->noffers].name = sae_xstrdup(name);
	cfg->offers[cfg->noffers].path = NULL;
	cfg->offers[cfg->noffers].sovereign = -1;
	return &cfg->offers[cfg->noffers++];
}

static int
on_offer(struct load *ld, const char *oname, const char *name,
    const char *value)
{
	struct sae_config_offer *o;
	int b;

	if (!valid_offer_name(oname)) {
		snprintf(ld->msg, sizeof(ld->msg), "offer name '%s' must be "
		    "1-32 of a-z, 0-9, '-' and '_'", oname);
		return -1;
	}
	if ((o = offer_get(ld->cfg, oname, 1)) == NULL) {
		snprintf(ld->msg, sizeof(ld->msg), "too many offers (at most "
		    "%d)", SAE_MAX_OFFERS);
		return -1;
	}
	if (!strcmp(name, "path")) {
		free(o->path);
		o->path = sae_xstrdup(value);
		return 0;
	}
	if (!strcmp(name, "sovereign")) {
		if ((b = parse_bool(value)) == -1) {
			snprintf(ld->msg, sizeof(ld->msg), "[offer %s] "
			    "sovereign = '%s' is not yes or no", oname, value);
			return -1;
		}
		o->sovereign = b;
		return 0;
	}
	snprintf(ld->msg, sizeof(ld->msg), "unknown key '%s' in [offer %s] "
	    "(known: path, sovereign)", name, oname);
	return -1;
}

static int
on_key(void *arg, const char *section, const char *name, const char *value)
{
	struct load *ld = arg;
	size_t i;

	if (ld->msg[0] != '\0')
		return 1;	/* report only the first problem */
	if (!strncmp(section, "offer ", 6))
		return on_offer(ld, section + 6, name, value) == 0;
	if (!strcmp(section, "placement")) {
		for (i = 0; i < SAE_NPLACES; i++)
			if (!strcmp(name, place_names[i])) {
				free(ld->placement_text[i]);
				ld->placement_text[i] = sae_xstrdup(value);
				return 1;
			}
		snprintf(ld->msg, sizeof(ld->msg), "unknown key '%s' in "
		    "[placement] (known: current, intermediate, definitive)",
		    name);
		return 0;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(section, keys[i].section) &&
		    !strcmp(name, keys[i].name))
			return set_key(ld, &keys[i], value) == 0;
	snprintf(ld->msg, sizeof(ld->msg), "unknown key '%s' in [%s]", name,
	    section);
	return 0;
}

static int
set_placement(struct load *ld, enum sae_age_place age, const char *text,
    struct sae_err *err)
{
	struct sae_config *cfg = ld->cfg;
	char *copy = sae_xstrdup(text), *tok, *save = NULL;
	struct sae_config_offer *o;
	int ret = -1;

	cfg->nplacement[age] = 0;
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if ((o = offer_get(cfg, tok, 0)) == NULL) {
			sae_err_set(err, SAE_EINVAL, "%s: [placement] %s names"
			    " offer '%s', which no [offer %s] section declares",
			    ld->path, place_names[age], tok, tok);
			goto out;
		}
		cfg->placement[age][cfg->nplacement[age]++] =
		    (size_t)(o - cfg->offers);
	}
	if (cfg->nplacement[age] == 0) {
		sae_err_set(err, SAE_EINVAL, "%s: [placement] %s names no "
		    "offer", ld->path, place_names[age]);
		goto out;
	}
	ret = 0;
out:
	free(copy);
	return ret;
}

static int
check_whole(struct load *ld, struct sae_err *err)
{
	struct sae_config *cfg = ld->cfg;
	size_t i, j;

	for (i = 0; i < cfg->noffers; i++) {
		if (cfg->offers[i].path == NULL)
			return sae_err_set(err, SAE_EINVAL, "%s: [offer %s] "
			    "has no path", ld->path, cfg->offers[i].name);
		if (cfg->offers[i].sovereign == -1)
			return sae_err_set(err, SAE_EINVAL, "%s: [offer %s] "
			    "must say sovereign = yes or no", ld->path,
			    cfg->offers[i].name);
	}
	/* Otherwise every renewed certificate would be due again at once. */
	if (cfg->tsa_renew_days >= cfg->tsa_validity_days)
		return sae_err_set(err, SAE_EINVAL, "%s: [tsa] renew_days = %d "
		    "must be less than validity_days = %d", ld->path,
		    cfg->tsa_renew_days, cfg->tsa_validity_days);
	for (i = 0; i < SAE_NPLACES; i++)
		if (ld->placement_text[i] != NULL &&
		    set_placement(ld, i, ld->placement_text[i], err) == -1)
			return -1;
	/* Definitive archives belong to the public archives service: only
	 * sovereign offers, enough of them (French heritage law). */
	for (j = 0; j < cfg->nplacement[SAE_PLACE_DEFINITIVE]; j++) {
		const struct sae_config_offer *o =
		    &cfg->offers[cfg->placement[SAE_PLACE_DEFINITIVE][j]];

		if (!o->sovereign)
			return sae_err_set(err, SAE_EINVAL, "%s: offer '%s' is"
			    " not sovereign and cannot hold definitive "
			    "archives ([placement] definitive)", ld->path,
			    o->name);
	}
	if (cfg->nplacement[SAE_PLACE_DEFINITIVE] <
	    (size_t)cfg->definitive_copies)
		return sae_err_set(err, SAE_EINVAL, "%s: definitive_copies = "
		    "%d but [placement] definitive names only %zu offer(s)",
		    ld->path, cfg->definitive_copies,
		    cfg->nplacement[SAE_PLACE_DEFINITIVE]);
	for (i = 0; i < SAE_NPLACES; i++)
		for (j = 0; j < cfg->nplacement[i]; j++) {
			size_t k;

			for (k = 0; k < j; k++)
				if (cfg->placement[i][k] ==
				    cfg->placement[i][j])
					return sae_err_set(err, SAE_EINVAL,
					    "%s: [placement] %s names offer "
					    "'%s' twice", ld->path,
					    place_names[i], cfg->offers[
					    cfg->placement[i][j]].name);
		}
	return 0;
}

static void
set_defaults(struct load *ld)
{
	struct sae_config *cfg = ld->cfg;
	struct sae_config_offer *a, *b;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (set_key(ld, &keys[i], keys[i].def) == -1)
			abort();	/* the table itself is wrong */
	/* Two sovereign offers under the data directory: every archive has
	 * two copies from the first day. */
	a = offer_get(cfg, "vault-a", 1);
	a->path = sae_xstrdup("offers/vault-a");
	a->sovereign = 1;
	b = offer_get(cfg, "vault-b", 1);
	b->path = sae_xstrdup("offers/vault-b");
	b->sovereign = 1;
	for (i = 0; i < SAE_NPLACES; i++) {
		cfg->placement[i][0] = 0;
		cfg->placement[i][1] = 1;
		cfg->nplacement[i] = 2;
	}
}

int
sae_config_load(struct sae_config *cfg, const char *data_dir,
    const char *path, struct sae_err *err)
{
	struct load ld;
	size_t i;
	int line, file_offers = 0;

	memset(cfg, 0, sizeof(*cfg));
	memset(&ld, 0, sizeof(ld));
	ld.cfg = cfg;
	ld.path = path != NULL ? path : "(defaults)";
	cfg->data_dir = sae_xstrdup(data_dir);
	set_defaults(&ld);
	if (path != NULL) {
		FILE *f = fopen(path, "r");

		if (f == NULL)
			return sae_err_sys(err, SAE_EINVAL, "cannot read "
			    "configuration '%s'", path);
		/* A file that declares offers replaces the default ones. */
		{
			char probe[512];

			while (fgets(probe, sizeof(probe), f) != NULL) {
				const char *p = probe;

				while (isspace((unsigned char)*p))
					p++;
				if (!strncmp(p, "[offer ", 7)) {
					file_offers = 1;
					break;
				}
			}
			rewind(f);
		}
		if (file_offers) {
			for (i = 0; i < cfg->noffers; i++) {
				free(cfg->offers[i].name);
				free(cfg->offers[i].path);
			}
			cfg->noffers = 0;
			memset(cfg->nplacement, 0, sizeof(cfg->nplacement));
		}
		line = ini_parse_file(f, on_key, &ld);
		fclose(f);
		if (line == -1 || line == -2)
			return sae_err_set(err, SAE_EINVAL, "cannot read "
			    "configuration '%s'", path);
		if (line > 0) {
			if (ld.msg[0] == '\0')
				snprintf(ld.msg, sizeof(ld.msg), "syntax "
				    "error");
			sae_err_set(err, SAE_EINVAL, "%s:%d: %s", path, line,
			    ld.msg);
			goto fail;
		}
		if (file_offers) {
			for (i = 0; i < SAE_NPLACES; i++)
				if (ld.placement_text[i] == NULL) {
					sae_err_set(err, SAE_EINVAL, "%s: "
					    "[placement] %s is missing: say "
					    "which offers hold %s archives",
					    path, place_names[i],
					    place_names[i]);
					goto fail;
				}
		}
	}
	if (check_whole(&ld, err) == -1)
		goto fail;
	for (i = 0; i < SAE_NPLACES; i++)
		free(ld.placement_text[i]);
	return 0;
fail:
	for (i = 0; i < SAE_NPLACES; i++)
		free(ld.placement_text[i]);
	sae_config_done(cfg);
	return -1;
}

void
sae_config_done(struct sae_config *cfg)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].type == K_STR) {
			char **p = (char **)(void *)((char *)cfg +
			    keys[i].offset);

			free(*p);
			*p = NULL;
		}
	for (i = 0; i < cfg->noffers; i++) {
		free(cfg->offers[i].name);
		free(cfg->offers[i].path);
	}
	cfg->noffers = 0;
	free(cfg->data_dir);
	cfg->data_dir = NULL;
}

int
sae_config_offer_path(const struct sae_config *cfg, size_t i, char *out,
    size_t size)
{
	const char *p = cfg->offers[i].path;

	if (p[0] == '/')
		return sae_path(out, size, "%s", p);
	return sae_path(out, size, "%s/%s", cfg->data_dir, p);
}

void
sae_config_dump(const struct sae_config *cfg, FILE *f)
{
	const char *section = "";
	size_t i, j;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];
		const char *base = (const char *)cfg + k->offset;

		if (strcmp(section, k->section))
			fprintf(f, "%s[%s]\n", i ? "\n" : "",
			    section = k->section);
		fprintf(f, "; %s\n%s = ", k->doc, k->name);
		switch (k->type) {
		case K_STR:
			fprintf(f, "%s\n", *(char *const *)(const void *)base);
			break;
		case K_INT:
		case K_LOGLEVEL:
			fprintf(f, "%d\n", *(const int *)(const void *)base);
			break;
		case K_MEASURE:
			fprintf(f, "%s\n", dua_measure_name(
			    *(const int *)(const void *)base));
			break;
		case K_BOOL:
			fprintf(f, "%s\n", *(const int *)(const void *)base ?
			    "yes" : "no");
			break;
		case K_CLOCK: {
			int m = *(const int *)(const void *)base;

			if (m < 0)
				fprintf(f, "now\n");
			else
				fprintf(f, "%02d:%02d\n", m / 60, m % 60);
			break;
		}
		case K_SIZE:
			fprintf(f, "%llu\n", (unsigned long long)
			    *(const uint64_t *)(const void *)base);
			break;
		}
	}
	for (i = 0; i < cfg->noffers; i++)
		fprintf(f, "\n[offer %s]\npath = %s\nsovereign = %s\n",
		    cfg->offers[i].name, cfg->offers[i].path,
		    cfg->offers[i].sovereign ? "yes" : "no");
	fprintf(f, "\n[placement]\n");
	for (i = 0; i < SAE_NPLACES; i++) {
		fprintf(f, "%s =", place_names[i]);
		for (j = 0; j < cfg->nplacement[i]; j++)
			fprintf(f, "%s %s", j ? "," : "",
			    cfg->offers[cfg->placement[i][j]].name);
		fprintf(f, "\n");
	}
}

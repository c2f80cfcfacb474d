/*
 * export.c: the reversibility export as a BagIt 1.0 bag (RFC 8493):
 * payload under data/ (packages/, rules/, journal/, tsa/, proofs/,
 * README.txt), manifest-sha512.txt, bag-info.txt, tagmanifest-sha512.txt.
 * Reads the catalog in one read transaction (a snapshot) and the store;
 * writes only under the export directory, then journals the export.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <fts.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sae/buf.h"
#include "sae/catalog.h"
#include "sae/conf.h"
#include "sae/export.h"
#include "sae/export_package.h"
#include "sae/fsutil.h"
#include "sae/id.h"
#include "sae/journal.h"
#include "sae/proof.h"
#include "sae/xmalloc.h"

#define STATE_FILE	".sae-export-id"

json_t *
export_selection_json(const struct export_selection *sel)
{
	json_t *o = json_object(), *a;
	size_t i;

	if (sel->all)
		json_object_set_new(o, "all", json_true());
	if (sel->agency != NULL)
		json_object_set_new(o, "agency", json_string(sel->agency));
	if (sel->rule != NULL)
		json_object_set_new(o, "rule", json_string(sel->rule));
	if (sel->age != NULL)
		json_object_set_new(o, "age", json_string(sel->age));
	if (sel->nunits > 0) {
		a = json_array();
		for (i = 0; i < sel->nunits; i++)
			json_array_append_new(a, json_string(sel->units[i]));
		json_object_set_new(o, "units", a);
	}
	return o;
}

int
export_selection_from_json(json_t *o, struct export_selection *sel,
    struct sae_err *err)
{
	static const char *const ages[] = { "current", "intermediate",
	    "definitive", "disposal", "review" };
	const char **units = NULL;
	json_t *a, *v;
	size_t i, k;

	memset(sel, 0, sizeof(*sel));
	if (!json_is_object(o))
		return sae_err_set(err, SAE_EINVAL, "the selection must be a "
		    "JSON object");
	sel->all = json_is_true(json_object_get(o, "all"));
	sel->agency = json_string_value(json_object_get(o, "agency"));
	sel->rule = json_string_value(json_object_get(o, "rule"));
	sel->age = json_string_value(json_object_get(o, "age"));
	if ((a = json_object_get(o, "units")) != NULL) {
		if (!json_is_array(a) || json_array_size(a) == 0)
			return sae_err_set(err, SAE_EINVAL, "\"units\" must be a "
			    "non-empty array of unit ids");
		units = sae_xcalloc(json_array_size(a), sizeof(*units));
		json_array_foreach(a, i, v) {
			if (!json_is_string(v)) {
				free(units);
				return sae_err_set(err, SAE_EINVAL, "\"units\" "
				    "must hold unit ids (strings)");
			}
			units[i] = json_string_value(v);
		}
		sel->units = units;
		sel->nunits = json_array_size(a);
	}
	if (sel->age != NULL) {
		for (k = 0; k < sizeof(ages) / sizeof(ages[0]); k++)
			if (!strcmp(sel->age, ages[k]))
				break;
		if (k == sizeof(ages) / sizeof(ages[0])) {
			free(units);
			return sae_err_set(err, SAE_EINVAL, "unknown age '%s' "
			    "(current, intermediate, definitive, disposal or "
			    "review)", sel->age);
		}
	}
	if (!sel->all && sel->agency == NULL && sel->rule == NULL &&
	    sel->age == NULL && sel->nunits == 0) {
		free(units);
		return sae_err_set(err, SAE_EINVAL, "say what to export: all, "
		    "agency, rule, age or units");
	}
	return 0;
}

/* The SQL condition on unit u of a selection, with ?1..?5 bound below. */
#define SELECTED "u.state = 'alive' AND (?1 OR ((?2 IS NULL OR u.agency = " \
	"?2) AND (?3 IS NULL OR u.rule = ?3) AND (?4 IS NULL OR u.age = ?4) " \
	"AND (?5 IS NULL OR u.id IN (SELECT value FROM json_each(?5)))))"

static sqlite3_stmt *
prepare_selected(sqlite3 *db, const char *sql,
    const struct export_selection *sel, struct sae_err *err)
{
	sqlite3_stmt *st;
	json_t *ids;
	char *idtext = NULL;
	size_t i;

	if ((st = catalog_prepare(db, sql, err)) == NULL)
		return NULL;
	if (sel->nunits > 0) {
		ids = json_array();
		for (i = 0; i < sel->nunits; i++)
			json_array_append_new(ids, json_string(sel->units[i]));
		idtext = json_dumps(ids, JSON_COMPACT);
		json_decref(ids);
	}
	sqlite3_bind_int(st, 1, sel->all);
	catalog_bind_text(st, 2, sel->agency);
	catalog_bind_text(st, 3, sel->rule);
	catalog_bind_text(st, 4, sel->age);
	catalog_bind_text(st, 5, idtext);
	free(idtext);
	return st;
}

/* Column 0 of every row, as strings (free each and the array). */
static int
strings_of(sqlite3 *db, sqlite3_stmt *st, char ***out, size_t *n,
    long long *sum, struct sae_err *err)
{
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*out = sae_xreallocarray(*out, cap, sizeof(**out));
		}
		(*out)[(*n)++] = sae_xstrdup(catalog_text(st, 0));
		if (sum != NULL)
			*sum += sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, "export selection");
	return 0;
}

int
export_selected_transfers(sqlite3 *db, const struct export_selection *sel,
    char ***out, size_t *n, long long *units, struct sae_err *err)
{
	sqlite3_stmt *st;

	*units = 0;
	if ((st = prepare_selected(db, "SELECT u.transfer, count(*) FROM unit u "
	    "WHERE " SELECTED " GROUP BY u.transfer ORDER BY u.transfer", sel,
	    err)) == NULL)
		return -1;
	return strings_of(db, st, out, n, units, err);
}

/* The selected alive units, for their proofs. */
static int
selected_units(sqlite3 *db, const struct export_selection *sel, char ***out,
    size_t *n, struct sae_err *err)
{
	sqlite3_stmt *st;

	if ((st = prepare_selected(db, "SELECT u.id FROM unit u WHERE "
	    SELECTED " ORDER BY u.seq", sel, err)) == NULL)
		return -1;
	return strings_of(db, st, out, n, NULL, err);
}

/*
 * Each unit's proof bundle (proof.h), as an auditor gets it; made after
 * the snapshot, since a bundle may first seal the journal.  Bundles
 * already there (an interrupted export) are kept.
 */
static int
write_proofs(sqlite3 *db, struct store *st, struct tsa *tsa,
    const char *data, char **units, size_t n, const char *agent,
    struct sae_err *err)
{
	struct proof_result pr;
	struct proof_opts po;
	char dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX];
	size_t i;
	int fd, rc;

	sae_path(dir, sizeof(dir), "%s/proofs", data);
	if (sae_fs_mkdirp(dir, 0750, err) == -1)
		return -1;
	memset(&po, 0, sizeof(po));
	po.agent = agent;
	for (i = 0; i < n; i++) {
		sae_path(path, sizeof(path), "%s/%s.zip", dir, units[i]);
		if (sae_fs_exists(path))
			continue;
		sae_path(tmp, sizeof(tmp), "%s.part", path);
		if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0640)) == -1)
			return sae_err_sys(err, SAE_EIO, "cannot write '%s'", tmp);
		rc = proof_build(fd, db, st, tsa, units[i], &po, &pr, err);
		if (close(fd) == -1 && rc == 0)
			rc = sae_err_sys(err, SAE_EIO, "cannot write '%s'", tmp);
		if (rc == -1 || rename(tmp, path) == -1) {
			unlink(tmp);
			if (rc == 0)
				sae_err_sys(err, SAE_EIO, "cannot rename '%s'",
				    tmp);
			sae_err_prefix(err, "proof of unit %s", units[i]);
			return -1;
		}
	}
	return 0;
}

/* A blob or text column of one row to a file under the bag. */
static int
column_to_file(sqlite3 *db, const char *sql, const char *path,
    struct sae_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = catalog_prepare(db, sql, err)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? sae_err_set(err, SAE_ENOTFOUND,
		    "nothing to export for %s", path) :
		    catalog_fail(err, db, path);
	}
	rc = sae_fs_write_atomic(path, sqlite3_column_blob(st, 0),
	    (size_t)sqlite3_column_bytes(st, 0), 0640, err);
	sqlite3_finalize(st);
	return rc;
}

static int
write_journal(sqlite3 *db, const char *data, long long *entries,
    long long *seals, struct sae_err *err)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	sqlite3_stmt *st;
	FILE *f, *idx;
	int rc;

	*seals = 0;
	if (sae_path(path, sizeof(path), "%s/journal/seals", data) == -1 ||
	    sae_fs_mkdirp(path, 0750, err) == -1)
		return sae_err_set(err, SAE_EIO, "cannot make '%s'", path);
	sae_path(path, sizeof(path), "%s/journal/journal.jsonl", data);
	sae_path(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return sae_err_sys(err, SAE_EIO, "cannot write '%s'", tmp);
	rc = journal_export(db, f, entries, err);
	if (fclose(f) != 0 && rc == 0)
		rc = sae_err_sys(err, SAE_EIO, "cannot write '%s'", tmp);
	if (rc == -1 || rename(tmp, path) == -1)
		return rc == -1 ? -1 : sae_err_sys(err, SAE_EIO, "cannot "
		    "rename '%s'", tmp);
	sae_path(path, sizeof(path), "%s/journal/seals.tsv", data);
	if ((idx = fopen(path, "w")) == NULL)
		return sae_err_sys(err, SAE_EIO, "cannot write '%s'", path);
	fprintf(idx, "seal\tfirst\tlast\troot\tcreated\n");
	if ((st = catalog_prepare(db, "SELECT seq, first, last, root, created, "
	    "tsr FROM seal ORDER BY seq", err)) == NULL) {
		fclose(idx);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fprintf(idx, "%lld\t%lld\t%lld\t%s\t%s\n",
		    sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		    sqlite3_column_int64(st, 2), catalog_text(st, 3),
		    catalog_text(st, 4));
		sae_path(tmp, sizeof(tmp), "%s/journal/seals/%lld.tsr", data,
		    sqlite3_column_int64(st, 0));
		if (sae_fs_write_atomic(tmp, sqlite3_column_blob(st, 5),
		    (size_t)sqlite3_column_bytes(st, 5), 0640, err) == -1) {
			sqlite3_finalize(st);
			fclose(idx);
			return -1;
		}
		(*seals)++;
	}
	sqlite3_finalize(st);
	if (fclose(idx) != 0)
		return sae_err_sys(err, SAE_EIO, "cannot write '%s'", path);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, "export seals");
	return 0;
}

static int
copy_file(const char *from, const char *to, struct sae_err *err)
{
	struct sae_buf b = SAE_BUF_INIT;
	int rc;

	if (sae_fs_read(from, &b, 16u << 20, err) == -1)
		return -1;
	rc = sae_fs_write_atomic(to, b.data, b.len, 0640, err);
	sae_buf_done(&b);
	return rc;
}

static const char readme[] =
    "Export de réversibilité d'un système d'archivage électronique (sae)\n"
    "=================================================================\n"
    "\n"
    "Ce répertoire est un « bag » BagIt 1.0 (RFC 8493). Pour vérifier qu'aucun\n"
    "octet n'a changé depuis l'export, depuis le répertoire du bag :\n"
    "\n"
    "    sha512sum -c manifest-sha512.txt\n"
    "    sha512sum -c tagmanifest-sha512.txt\n"
    "\n"
    "Contenu (data/) :\n"
    "\n"
    "- packages/ : un paquet SEDA ArchiveTransfer (zip) par versement d'origine,\n"
    "  valide contre le XSD officiel de sa version : manifest.xml et les objets\n"
    "  (octets d'origine) sous content/. Les métadonnées descriptives et de\n"
    "  gestion sont celles reçues ; l'historique de chaque unité tiré du journal\n"
    "  est dans son LogBook (EventDetailData = empreinte SHA-256 de l'entrée du\n"
    "  journal). Chaque paquet peut être reversé tel quel dans un SAE.\n"
    "- rules/dua.csv : le tableau de gestion (DUA) en vigueur, tel qu'importé\n"
    "  (sae-admin rules import le relit).\n"
    "- journal/journal.jsonl : toutes les entrées du journal, une par ligne, sous\n"
    "  leur forme canonique : l'empreinte SHA-256 de la ligne (sans le saut de\n"
    "  ligne) est le champ hash, et chaque entrée porte dans prev l'empreinte de\n"
    "  la précédente (chaîne). journal/seals.tsv et journal/seals/N.tsr : les\n"
    "  scellements (racine de Merkle des entrées first..last et du jeton\n"
    "  précédent) et leurs jetons d'horodatage RFC 3161, vérifiables par :\n"
    "      openssl ts -verify -digest RACINE -in journal/seals/N.tsr \\\n"
    "          -CAfile tsa/ca.pem\n"
    "- tsa/ : les certificats de l'autorité d'horodatage (ca.pem, tsa.pem).\n"
    "- proofs/ : le paquet de preuve de chaque unité exportée, vérifiable hors\n"
    "  ligne avec sae-verify ou à la main (voir le README.txt de chaque paquet).\n"
    "- export.json : ce qui a été exporté (sélection, nombres, date).\n";

static int
file_sha512(const char *path, char hex[129], uint64_t *size,
    struct sae_err *err)
{
	unsigned char buf[1 << 16], md[64];
	EVP_MD_CTX *ctx;
	unsigned int mdlen;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return sae_err_sys(err, SAE_EIO, "cannot read '%s'", path);
	ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha512(), NULL);
	*size = 0;
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		EVP_DigestUpdate(ctx, buf, (size_t)r);
		*size += (uint64_t)r;
	}
	close(fd);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (r < 0)
		return sae_err_sys(err, SAE_EIO, "cannot read '%s'", path);
	sae_hex(hex, md, mdlen);
	return 0;
}

/*
 * Manifest lines "SHA512  data/PATH" for every file under ${dir}/data:
 * paths relative to the bag with '/' separators (our names have no CR,
 * LF or '%' to encode).
 */
static int
payload_manifest(const char *dir, struct sae_buf *lines, uint64_t *octets,
    size_t *files, struct sae_err *err)
{
	char data[PATH_MAX], hex[129], *paths[] = { data, NULL };
	size_t base = strlen(dir) + 1;
	uint64_t size;
	FTSENT *e;
	FTS *fts;
	int ret = 0;

	*octets = 0;
	*files = 0;
	sae_path(data, sizeof(data), "%s/data", dir);
	if ((fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, NULL)) == NULL)
		return sae_err_sys(err, SAE_EIO, "cannot walk '%s'", data);
	while (ret == 0 && (e = fts_read(fts)) != NULL) {
		if (e->fts_info == FTS_ERR || e->fts_info == FTS_DNR ||
		    e->fts_info == FTS_NS) {
			ret = sae_err_set(err, SAE_EIO, "cannot read '%s': %s",
			    e->fts_path, strerror(e->fts_errno));
			break;
		}
		if (e->fts_info != FTS_F)
			continue;
		if (file_sha512(e->fts_path, hex, &size, err) == -1) {
			ret = -1;
			break;
		}
		sae_buf_printf(lines, "%s  %s\n", hex, e->fts_path + base);
		*octets += size;
		(*files)++;
	}
	fts_close(fts);
	return ret;
}

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(strchr(*(char *const *)a, ' '),
	    strchr(*(char *const *)b, ' '));
}

/* Sorts the lines of ${b} by path (the manifests are then reproducible). */
static void
sort_lines(struct sae_buf *b)
{
	struct sae_buf out = SAE_BUF_INIT;
	char **v = NULL, *p, *save = NULL;
	size_t n = 0, cap = 0, i;

	for (p = strtok_r(b->data, "\n", &save); p != NULL;
	    p = strtok_r(NULL, "\n", &save)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			v = sae_xreallocarray(v, cap, sizeof(*v));
		}
		v[n++] = p;
	}
	if (n > 1)	/* v is NULL when there are none */
		qsort(v, n, sizeof(*v), line_cmp);
	for (i = 0; i < n; i++)
		sae_buf_printf(&out, "%s\n", v[i]);
	free(v);
	sae_buf_done(b);
	*b = out;
}

static const char bagit[] = "BagIt-Version: 1.0\n"
    "Tag-File-Character-Encoding: UTF-8\n";

static int
write_bag_files(const char *dir, const struct sae_config *cfg,
    const char *id, json_t *summary, struct sae_err *err)
{
	struct sae_buf lines = SAE_BUF_INIT, info = SAE_BUF_INIT,
	    tags = SAE_BUF_INIT;
	static const char *const tagfiles[] = { "bagit.txt", "bag-info.txt",
	    "manifest-sha512.txt" };
	char path[PATH_MAX], now[32], hex[129];
	uint64_t size, octets;
	size_t i, files;
	int ret = -1;

	if (payload_manifest(dir, &lines, &octets, &files, err) == -1)
		goto out;
	sort_lines(&lines);
	sae_path(path, sizeof(path), "%s/manifest-sha512.txt", dir);
	if (sae_fs_write_atomic(path, lines.data, lines.len, 0640, err) == -1)
		goto out;
	sae_path(path, sizeof(path), "%s/bagit.txt", dir);
	if (sae_fs_write_atomic(path, bagit, sizeof(bagit) - 1, 0640,
	    err) == -1)
		goto out;
	sae_time_now_iso(now);
	sae_buf_printf(&info, "Source-Organization: %s\nBagging-Date: %.10s\n"
	    "External-Identifier: %s\nExternal-Description: Export de "
	    "réversibilité sae (%lld unités, %lld paquets)\n"
	    "Payload-Oxum: %llu.%zu\n", cfg->archival_agency, now, id,
	    (long long)json_integer_value(json_object_get(summary, "units")),
	    (long long)json_integer_value(json_object_get(summary, "packages")),
	    (unsigned long long)octets, files);
	sae_path(path, sizeof(path), "%s/bag-info.txt", dir);
	if (sae_fs_write_atomic(path, info.data, info.len, 0640, err) == -1)
		goto out;
	/* The tag manifest last: its presence says the bag is complete. */
	for (i = 0; i < sizeof(tagfiles) / sizeof(tagfiles[0]); i++) {
		sae_path(path, sizeof(path), "%s/%s", dir, tagfiles[i]);
		if (file_sha512(path, hex, &size, err) == -1)
			goto out;
		sae_buf_printf(&tags, "%s  %s\n", hex, tagfiles[i]);
	}
	sae_path(path, sizeof(path), "%s/tagmanifest-sha512.txt", dir);
	if (sae_fs_write_atomic(path, tags.data, tags.len, 0640, err) == -1)
		goto out;
	json_object_set_new(summary, "payload_bytes",
	    json_integer((json_int_t)octets));
	json_object_set_new(summary, "payload_files",
	    json_integer((json_int_t)files));
	ret = 0;
out:
	sae_buf_done(&lines);
	sae_buf_done(&info);
	sae_buf_done(&tags);
	return ret;
}

/* The export directory: new, or an interrupted export of the same id. */
static int
prepare_dir(const char *dir, const char *id, struct sae_err *err)
{
	struct sae_buf b = SAE_BUF_INIT;
	char path[PATH_MAX];
	int same;

	sae_path(path, sizeof(path), "%s/tagmanifest-sha512.txt", dir);
	if (sae_fs_exists(path))
		return sae_err_set(err, SAE_EEXIST, "'%s' already holds a "
		    "finished export", dir);
	sae_path(path, sizeof(path), "%s/%s", dir, STATE_FILE);
	if (sae_fs_exists(path)) {
		if (sae_fs_read(path, &b, 64, err) == -1)
			return -1;
		same = b.len >= SAE_ID_LEN && !memcmp(b.data, id, SAE_ID_LEN);
		sae_buf_done(&b);
		if (!same)
			return sae_err_set(err, SAE_EEXIST, "'%s' holds another "
			    "export; choose an empty directory", dir);
		return 0;	/* resume */
	}
	if (sae_fs_exists(dir)) {
		DIR *d = opendir(dir);
		struct dirent *e;
		int empty = 1;

		if (d == NULL)
			return sae_err_sys(err, SAE_EIO, "cannot open '%s'", dir);
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				empty = 0;
		closedir(d);
		if (!empty)
			return sae_err_set(err, SAE_EEXIST, "'%s' is not empty; "
			    "an export goes into a new or empty directory", dir);
	}
	if (sae_fs_mkdirp(dir, 0750, err) == -1)
		return -1;
	return sae_fs_write_atomic(path, id, strlen(id), 0640, err);
}

static void
report(export_progress_fn *fn, void *arg, struct export_progress *p,
    const char *step)
{
	p->step = step;
	if (fn != NULL)
		fn(arg, p);
}

int
export_run(sqlite3 *db, struct store *st, struct tsa *tsa,
    const struct sae_config *cfg, const struct export_selection *sel,
    const char *dir, const char *id, const char *agent,
    export_progress_fn *progress, void *arg, int (*cancel)(void *),
    json_t **summary, struct sae_err *err)
{
	struct export_progress pr;
	struct export_package_stats ps;
	char data[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX], now[32];
	char **transfers = NULL, **unit_ids = NULL, *text = NULL;
	long long units = 0, entries = 0, seals = 0, exported = 0;
	json_t *sum = NULL;
	size_t n = 0, nu = 0, i;
	int in_txn = 0, ret = -1;

	memset(&pr, 0, sizeof(pr));
	if (prepare_dir(dir, id, err) == -1)
		return -1;
	sae_path(data, sizeof(data), "%s/data", dir);
	for (i = 0; i < 4; i++) {
		static const char *const sub[] = { "packages", "rules", "tsa",
		    "journal" };

		sae_path(path, sizeof(path), "%s/%s", data, sub[i]);
		if (sae_fs_mkdirp(path, 0750, err) == -1)
			return -1;
	}
	/* One snapshot: what is exported is the catalog at one moment. */
	if (catalog_exec(db, "BEGIN", err) == -1)
		return -1;
	in_txn = 1;
	if (export_selected_transfers(db, sel, &transfers, &n, &units, err) == -1 ||
	    (tsa != NULL && selected_units(db, sel, &unit_ids, &nu,
	    err) == -1))
		goto out;
	if (n == 0) {
		sae_err_set(err, SAE_ENOTFOUND, "no alive unit matches the "
		    "selection: nothing to export");
		goto out;
	}
	pr.packages_total = n;
	for (i = 0; i < n; i++) {
		if (cancel != NULL && cancel(arg)) {
			sae_err_set(err, SAE_EINTERNAL, "export cancelled; run it "
			    "again with the same id to resume");
			goto out;
		}
		sae_path(path, sizeof(path), "%s/packages/%s.zip", data,
		    transfers[i]);
		pr.packages_done = i;
		report(progress, arg, &pr, "packages");
		if (sae_fs_exists(path))	/* written before an interruption */
			continue;
		sae_path(tmp, sizeof(tmp), "%s.part", path);
		memset(&ps, 0, sizeof(ps));
		if (export_package(db, st, transfers[i], tmp, &ps, err) == -1) {
			unlink(tmp);
			sae_err_prefix(err, "transfer %s", transfers[i]);
			goto out;
		}
		if (rename(tmp, path) == -1) {
			sae_err_sys(err, SAE_EIO, "cannot rename '%s'", tmp);
			goto out;
		}
		pr.bytes += ps.bytes;
		exported++;
		sae_crashpoint("export-after-package");
	}
	pr.packages_done = n;
	report(progress, arg, &pr, "journal");
	sae_path(path, sizeof(path), "%s/rules/dua.csv", data);
	if (column_to_file(db, "SELECT csv FROM rule_version ORDER BY id DESC "
	    "LIMIT 1", path, err) == -1 ||
	    write_journal(db, data, &entries, &seals, err) == -1)
		goto out;
	sae_path(tmp, sizeof(tmp), "%s/tsa/ca.pem", cfg->data_dir);
	sae_path(path, sizeof(path), "%s/tsa/ca.pem", data);
	if (copy_file(tmp, path, err) == -1)
		goto out;
	sae_path(tmp, sizeof(tmp), "%s/tsa/tsa.pem", cfg->data_dir);
	sae_path(path, sizeof(path), "%s/tsa/tsa.pem", data);
	if (copy_file(tmp, path, err) == -1)
		goto out;
	catalog_exec(db, "COMMIT", NULL);
	in_txn = 0;
	report(progress, arg, &pr, "proofs");
	if (tsa != NULL && write_proofs(db, st, tsa, data, unit_ids, nu, agent,
	    err) == -1)
		goto out;
	sae_time_now_iso(now);
	sum = json_pack("{s:s, s:s, s:o, s:I, s:I, s:I, s:I, s:I}", "id", id,
	    "exported", now, "selection", export_selection_json(sel), "units",
	    (json_int_t)units, "packages", (json_int_t)n, "journal_entries",
	    (json_int_t)entries, "seals", (json_int_t)seals, "proofs",
	    (json_int_t)nu);
	text = json_dumps(sum, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	sae_path(path, sizeof(path), "%s/export.json", data);
	if (sae_fs_write_atomic(path, text, strlen(text), 0640, err) == -1)
		goto out;
	sae_path(path, sizeof(path), "%s/README.txt", data);
	if (sae_fs_write_atomic(path, readme, sizeof(readme) - 1, 0640,
	    err) == -1)
		goto out;
	report(progress, arg, &pr, "manifests");
	if (write_bag_files(dir, cfg, id, sum, err) == -1)
		goto out;
	sae_path(path, sizeof(path), "%s/%s", dir, STATE_FILE);
	unlink(path);
	free(text);
	text = json_dumps(sum, JSON_COMPACT | JSON_SORT_KEYS);
	if (catalog_begin(db, err) == -1 ||
	    journal_commit(db, "EXPORT", agent, text, err, "Export de "
	    "réversibilité %s : %lld unité(s) en %zu paquet(s)", id, units,
	    n) == -1) {
		catalog_rollback(db);
		goto out;
	}
	*summary = sum;
	sum = NULL;
	ret = 0;
out:
	if (in_txn)
		catalog_exec(db, "ROLLBACK", NULL);
	for (i = 0; i < n; i++)
		free(transfers[i]);
	free(transfers);
	for (i = 0; i < nu; i++)
		free(unit_ids[i]);
	free(unit_ids);
	free(text);
	json_decref(sum);
	return ret;
}

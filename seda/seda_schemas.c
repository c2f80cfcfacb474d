/*
 * seda_schemas.c: the official SEDA XSDs, compiled offline (our own
 * external entity loader maps the two W3C URLs to local copies and refuses
 * every other load), checked against seda/schemas.sha256, and used to
 * validate documents.  Reads files under the schema directory only.
 */
#include "config.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlschemas.h>
#include <openssl/evp.h>

#include "sae/buf.h"
#include "sae/err.h"
#include "sae/fsutil.h"
#include "sae/xmalloc.h"
#include "seda/seda.h"
#include "seda/seda_internal.h"

#define XML_XSD_URL	"http://www.w3.org/2001/xml.xsd"
#define XLINK_XSD_URL	"http://www.w3.org/1999/xlink.xsd"
#define MAX_SCHEMA_FILE	((size_t)16 << 20)
#define MAX_XSD_ERRORS	3

/*
 * The loader is process-global, so what it may open is per thread: the
 * directory of the schema set this thread is compiling, NULL otherwise
 * (then nothing at all may be loaded: manifests never need a file).
 */
static __thread const char *loading_dir;
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static xmlParserInputPtr
loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	const char *dir = loading_dir;
	char path[PATH_MAX], real[PATH_MAX];
	size_t dlen;

	(void)id;
	if (dir == NULL || url == NULL)
		return NULL;
	if (strcmp(url, XML_XSD_URL) == 0 || strcmp(url, XLINK_XSD_URL) == 0) {
		if (sae_path(path, sizeof(path), "%s/%s", dir,
		    strrchr(url, '/') + 1) == -1)
			return NULL;
		return xmlNewInputFromFile(ctxt, path);
	}
	/* Includes of the set itself: plain files of that very folder. */
	if (strstr(url, "://") != NULL || realpath(url, real) == NULL)
		return NULL;
	dlen = strlen(dir);
	if (strncmp(real, dir, dlen) != 0 || real[dlen] != '/' ||
	    strchr(real + dlen + 1, '/') != NULL)
		return NULL;
	return xmlNewInputFromFile(ctxt, real);
}

static void
xml_init_once(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(loader);
}

void
seda_xml_init(void)
{
	pthread_once(&xml_once, xml_init_once);
}

static xmlSchemaPtr
compile(const char *dir, enum seda_version v, struct sae_err *err)
{
	const char *name = seda_version_name(v);
	char vdir[PATH_MAX], main_xsd[PATH_MAX], real[PATH_MAX];
	struct seda_xmlerrs errs;
	xmlSchemaParserCtxtPtr pctxt;
	xmlSchemaPtr s = NULL;

	if (sae_path(vdir, sizeof(vdir), "%s/%s", dir, name) == -1 ||
	    sae_path(main_xsd, sizeof(main_xsd), "%s/seda-%s-main.xsd", vdir,
	    name) == -1) {
		sae_err_set(err, SAE_EINVAL, "schema directory path '%s' is "
		    "too long", dir);
		return NULL;
	}
	if (!sae_fs_exists(main_xsd)) {
		sae_err_set(err, SAE_ENOTFOUND, "SEDA %s schema '%s' does not "
		    "exist", name, main_xsd);
		return NULL;
	}
	if (realpath(vdir, real) == NULL) {
		sae_err_sys(err, SAE_EIO, "cannot resolve '%s'", vdir);
		return NULL;
	}
	seda_xmlerrs_init(&errs, 2);
	loading_dir = real;
	if ((pctxt = xmlSchemaNewParserCtxt(main_xsd)) != NULL) {
		xmlSchemaSetParserStructuredErrors(pctxt, seda_xmlerrs_handler,
		    &errs);
		s = xmlSchemaParse(pctxt);
		xmlSchemaFreeParserCtxt(pctxt);
	}
	loading_dir = NULL;
	if (s == NULL)
		sae_err_set(err, SAE_EINVAL, "the SEDA %s schema '%s' does not "
		    "compile offline: %s", name, main_xsd, errs.text.len > 0 ?
		    errs.text.data : "unknown libxml2 error");
	seda_xmlerrs_done(&errs);
	return s;
}

int
seda_schemas_load(struct seda_schemas **out, const char *dir,
    struct sae_err *err)
{
	struct seda_schemas *s;
	int v;

	*out = NULL;
	seda_xml_init();
	s = sae_xcalloc(1, sizeof(*s));
	for (v = 0; v < SEDA_NVERSIONS; v++)
		if ((s->schema[v] = compile(dir, v, err)) == NULL) {
			seda_schemas_free(s);
			return -1;
		}
	*out = s;
	return 0;
}

void
seda_schemas_free(struct seda_schemas *s)
{
	int v;

	if (s == NULL)
		return;
	for (v = 0; v < SEDA_NVERSIONS; v++)
		if (s->schema[v] != NULL)
			xmlSchemaFree(s->schema[v]);
	free(s);
}

/* Checks one "<sha256>  <path>" line; 0 if it matches. */
static int
check_line(const char *dir, const char *line, size_t len, struct sae_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	char hex[2 * EVP_MAX_MD_SIZE + 1], path[PATH_MAX], *rel;
	struct sae_buf b = SAE_BUF_INIT;
	unsigned int mdlen = 0;
	size_t i;
	int ret = -1;

	for (i = 0; i < 64 && i < len; i++)
		if (strchr("0123456789abcdef", line[i]) == NULL ||
		    line[i] == '\0')
			break;
	if (i != 64 || len < 67 || line[64] != ' ' ||
	    (line[65] != ' ' && line[65] != '*'))
		return sae_err_set(err, SAE_EINVAL, "malformed checksum line "
		    "'%.*s'", (int)(len > 100 ? 100 : len), line);
	rel = sae_xstrndup(line + 66, len - 66);
	if (rel[0] == '/' || strstr(rel, "..") != NULL) {
		sae_err_set(err, SAE_EINVAL, "checksum line names '%s', which "
		    "is not a plain relative path", rel);
		goto out;
	}
	if (sae_path(path, sizeof(path), "%s/%s", dir, rel) == -1) {
		sae_err_set(err, SAE_EINVAL, "path of schema '%s' is too long",
		    rel);
		goto out;
	}
	if (sae_fs_read(path, &b, MAX_SCHEMA_FILE, err) == -1) {
		sae_err_prefix(err, "schema file '%s'", rel);
		goto out;
	}
	if (EVP_Digest(b.data != NULL ? b.data : "", b.len, md, &mdlen,
	    EVP_sha256(), NULL) != 1) {
		sae_err_set(err, SAE_EINTERNAL, "cannot compute the SHA-256 "
		    "of schema file '%s'", rel);
		goto out;
	}
	sae_hex(hex, md, mdlen);
	if (strncmp(hex, line, 64) != 0) {
		sae_err_set(err, SAE_ECORRUPT, "schema file '%s' has been "
		    "altered: its SHA-256 is %s, %.64s expected", rel, hex,
		    line);
		goto out;
	}
	ret = 0;
out:
	sae_buf_done(&b);
	free(rel);
	return ret;
}

int
seda_schemas_check(const char *dir, const char *sums, struct sae_err *err)
{
	const char *p = sums, *eol;
	size_t len, n = 0;

	while (*p != '\0') {
		eol = strchr(p, '\n');
		len = eol != NULL ? (size_t)(eol - p) : strlen(p);
		while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' '))
			len--;
		if (len > 0 && p[0] != '#') {
			if (check_line(dir, p, len, err) == -1)
				return -1;
			n++;
		}
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	if (n == 0)
		return sae_err_set(err, SAE_EINVAL, "the schema checksum list "
		    "names no file");
	return 0;
}

int
seda_schemas_validate_doc(const struct seda_schemas *s, enum seda_version v,
    xmlDocPtr doc, const char *what, struct seda_report *report,
    struct sae_err *err)
{
	xmlSchemaValidCtxtPtr vctxt;
	struct seda_xmlerrs errs;
	int rc;

	/* One validation context per call: the schema itself is shared. */
	if ((vctxt = xmlSchemaNewValidCtxt(s->schema[v])) == NULL)
		return sae_err_set(err, SAE_ENOMEM, "cannot create a SEDA %s "
		    "validation context", seda_version_name(v));
	seda_xmlerrs_init(&errs, MAX_XSD_ERRORS);
	xmlSchemaSetValidStructuredErrors(vctxt, seda_xmlerrs_handler, &errs);
	rc = xmlSchemaValidateDoc(vctxt, doc);
	xmlSchemaFreeValidCtxt(vctxt);
	if (rc == 0) {
		seda_xmlerrs_done(&errs);
		return 1;
	}
	if (rc < 0 && errs.n == 0) {
		seda_xmlerrs_done(&errs);
		return sae_err_set(err, SAE_EINTERNAL, "libxml2 could not "
		    "validate against the SEDA %s schema (code %d)",
		    seda_version_name(v), rc);
	}
	if (errs.n > errs.max)
		sae_buf_printf(&errs.text, " (et %zu autres erreurs)",
		    errs.n - errs.max);
	seda_report_add(report, SEDA_KO, "CHECK_SEDA", "101",
	    "%s n'est pas valide selon le schéma SEDA %s, %s", what,
	    seda_version_name(v), errs.text.len > 0 ? errs.text.data :
	    "erreur inconnue");
	seda_xmlerrs_done(&errs);
	return 0;
}

int
seda_validate(const struct seda_schemas *s, enum seda_version v,
    const void *xml, size_t len, struct seda_report *report,
    struct sae_err *err)
{
	xmlDocPtr doc;
	int rc;

	if ((unsigned)v >= SEDA_NVERSIONS || s == NULL)
		return sae_err_set(err, SAE_EINVAL, "no schema for SEDA "
		    "version %d", (int)v);
	if ((doc = seda_xml_read(xml, len, 256, "Le message", report)) ==
	    NULL)
		return 0;
	rc = seda_schemas_validate_doc(s, v, doc, "Le message", report, err);
	xmlFreeDoc(doc);
	return rc == -1 ? -1 : 0;
}

/*
 * format.c: format identification: libmagic gives the MIME type and the
 * description, then a small curated table with light probes of the head
 * gives a PRONOM PUID, or none when the version cannot be told.  Touches
 * only the libmagic database and the bytes it is given.
 */
#include "config.h"

#include <ctype.h>
#include <magic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "sae/err.h"
#include "sae/format.h"
#include "sae/xmalloc.h"

struct format {
	magic_t	mime;	/* MAGIC_MIME_TYPE: "application/pdf" */
	magic_t	text;	/* no flag: "PDF document, version 1.4" */
};

typedef const char *probe_fn(const unsigned char *, size_t, const char *);

/* Finds ${needle} in the first ${len} bytes of ${p}. */
static const unsigned char *
find(const unsigned char *p, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; n <= len && i <= len - n; i++)
		if (p[i] == (unsigned char)needle[0] &&
		    memcmp(p + i, needle, n) == 0)
			return p + i;
	return NULL;
}

/*
 * The value of an XMP property, written either as an attribute
 * (pdfaid:part="1") or as an element (<pdfaid:part>1</pdfaid:part>).
 */
static int
xmp_value(const unsigned char *p, size_t len, const char *prop)
{
	const unsigned char *q, *end = p + len;

	if ((q = find(p, len, prop)) == NULL)
		return -1;
	q += strlen(prop);
	if (q < end && *q == '=')
		q++;
	if (q < end && (*q == '"' || *q == '\'' || *q == '>'))
		q++;
	return q < end ? toupper(*q) : -1;
}

static const char *
probe_pdf(const unsigned char *p, size_t len, const char *desc)
{
	static const char *const plain[8] = { "fmt/14", "fmt/15", "fmt/16",
	    "fmt/17", "fmt/18", "fmt/19", "fmt/20", "fmt/276" };
	static const struct {
		int		 part, conf;
		const char	*puid;
	} pdfa[] = {
		{ '1', 'A', "fmt/95" }, { '1', 'B', "fmt/354" },
		{ '2', 'A', "fmt/476" }, { '2', 'B', "fmt/477" },
		{ '2', 'U', "fmt/478" }, { '3', 'A', "fmt/479" },
		{ '3', 'B', "fmt/480" },
	};
	const unsigned char *h;
	int part, conf;
	size_t i;

	(void)desc;
	/* The header may follow some junk, within the first 1024 bytes. */
	if ((h = find(p, len < 1024 ? len : 1024, "%PDF-1.")) == NULL ||
	    (size_t)(h - p) + 8 > len || h[7] < '0' || h[7] > '7')
		return NULL;
	part = xmp_value(p, len, "pdfaid:part");
	conf = xmp_value(p, len, "pdfaid:conformance");
	for (i = 0; i < sizeof(pdfa) / sizeof(pdfa[0]); i++)
		if (pdfa[i].part == part && pdfa[i].conf == conf)
			return pdfa[i].puid;
	return plain[h[7] - '0'];
}

static const char *
probe_jpeg(const unsigned char *p, size_t len, const char *desc)
{
	(void)desc;
	/* SOI, then the JFIF APP0 segment with its version bytes. */
	if (len < 13 || p[0] != 0xff || p[1] != 0xd8 || p[2] != 0xff ||
	    p[3] != 0xe0 || memcmp(p + 6, "JFIF", 5) != 0 || p[11] != 1)
		return NULL;
	return p[12] == 1 ? "fmt/43" : p[12] == 2 ? "fmt/44" : NULL;
}

static const char *
probe_gif(const unsigned char *p, size_t len, const char *desc)
{
	(void)desc;
	if (len >= 6 && memcmp(p, "GIF87a", 6) == 0)
		return "fmt/3";
	if (len >= 6 && memcmp(p, "GIF89a", 6) == 0)
		return "fmt/4";
	return NULL;
}

static const char *
probe_tiff(const unsigned char *p, size_t len, const char *desc)
{
	(void)desc;
	if (len >= 4 && (memcmp(p, "II*\0", 4) == 0 ||
	    memcmp(p, "MM\0*", 4) == 0))
		return "fmt/353";
	return NULL;
}

static const char *
probe_xml(const unsigned char *p, size_t len, const char *desc)
{
	(void)desc;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3, len -= 3;
	/* Only an XML 1.0 declaration says which version this is. */
	if (len >= 19 && (memcmp(p, "<?xml version=\"1.0\"", 19) == 0 ||
	    memcmp(p, "<?xml version='1.0'", 19) == 0))
		return "fmt/101";
	return NULL;
}

static const char *
probe_mp3(const unsigned char *p, size_t len, const char *desc)
{
	(void)p;
	(void)len;
	return strstr(desc, "layer III") != NULL ? "fmt/134" : NULL;
}

static const char *
probe_wav(const unsigned char *p, size_t len, const char *desc)
{
	(void)p;
	(void)len;
	/* fmt/141 is the PCM flavour; other WAVE codecs have other PUIDs. */
	return strstr(desc, "Microsoft PCM") != NULL ? "fmt/141" : NULL;
}

/*
 * The curated table: FORMAT_TABLE_VERSION must change with it.  PUIDs
 * checked against DROID signature file v109.  Formats whose version cannot
 * be seen in the head (PNG, ODF) get no PUID.
 */
static const struct {
	const char	*mime;
	const char	*puid;		/* when no probe is needed */
	probe_fn	*probe;
} table[] = {
	{ "application/pdf", NULL, probe_pdf },
	{ "image/jpeg", NULL, probe_jpeg },
	{ "image/gif", NULL, probe_gif },
	{ "image/tiff", NULL, probe_tiff },
	{ "text/xml", NULL, probe_xml },
	{ "application/xml", NULL, probe_xml },
	{ "text/plain", "x-fmt/111", NULL },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml"
	  ".document", "fmt/412", NULL },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	  "fmt/214", NULL },
	{ "application/vnd.openxmlformats-officedocument.presentationml"
	  ".presentation", "fmt/215", NULL },
	{ "application/zip", "x-fmt/263", NULL },
	{ "application/gzip", "x-fmt/266", NULL },
	{ "application/x-tar", "x-fmt/265", NULL },
	{ "audio/mpeg", NULL, probe_mp3 },
	{ "audio/x-wav", NULL, probe_wav },
};

int
format_new(struct format **out, struct sae_err *err)
{
	struct format *f = sae_xcalloc(1, sizeof(*f));

	*out = NULL;
	if ((f->mime = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR)) == NULL ||
	    (f->text = magic_open(MAGIC_ERROR)) == NULL) {
		sae_err_sys(err, SAE_ENOMEM, "cannot start libmagic");
		format_free(f);
		return -1;
	}
	if (magic_load(f->mime, NULL) == -1 ||
	    magic_load(f->text, NULL) == -1) {
		sae_err_set(err, SAE_EINTERNAL, "cannot load the libmagic "
		    "database: %s", magic_error(f->mime) != NULL ?
		    magic_error(f->mime) : magic_error(f->text) != NULL ?
		    magic_error(f->text) : "unknown error");
		format_free(f);
		return -1;
	}
	*out = f;
	return 0;
}

void
format_free(struct format *f)
{
	if (f == NULL)
		return;
	if (f->mime != NULL)
		magic_close(f->mime);
	if (f->text != NULL)
		magic_close(f->text);
	free(f);
}

/* Copies ${s} into ${dst}, cut to fit; NULL gives ${dflt}. */
static void
copy(char *dst, size_t size, const char *s, const char *dflt)
{
	size_t n;

	if (s == NULL)
		s = dflt;
	n = strlen(s);
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

void
format_identify(struct format *f, const void *head, size_t len,
    unsigned long long total, struct format_result *out)
{
	const char *puid = NULL;
	size_t i;

	(void)total;
	memset(out, 0, sizeof(*out));
	if (len > FORMAT_HEAD_MAX)
		len = FORMAT_HEAD_MAX;
	if (head == NULL)
		head = "", len = 0;
	copy(out->mime, sizeof(out->mime), magic_buffer(f->mime, head, len),
	    "application/octet-stream");
	copy(out->description, sizeof(out->description),
	    magic_buffer(f->text, head, len), "data");
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcmp(out->mime, table[i].mime) != 0)
			continue;
		puid = table[i].probe != NULL ?
		    table[i].probe(head, len, out->description) :
		    table[i].puid;
		break;
	}
	copy(out->puid, sizeof(out->puid), puid, "");
}

/*
 * Lower-case type/subtype without parameters or blanks, with aliases
 * folded: "Text/XML; charset=UTF-8" gives "application/xml".
 */
static void
mime_norm(char *out, size_t size, const char *s)
{
	static const char *const alias[][2] = {
		{ "text/xml", "application/xml" },
		{ "application/x-pdf", "application/pdf" },
		{ "image/jpg", "image/jpeg" },
		{ "image/pjpeg", "image/jpeg" },
		{ "application/x-zip-compressed", "application/zip" },
		{ "application/x-gzip", "application/gzip" },
	};
	size_t n = 0, i;

	while (*s == ' ' || *s == '\t')
		s++;
	for (; *s != '\0' && *s != ';' && n + 1 < size; s++)
		out[n++] = (char)tolower((unsigned char)*s);
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		n--;
	out[n] = '\0';
	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (strcmp(out, alias[i][0]) == 0) {
			copy(out, size, alias[i][1], "");
			break;
		}
}

int
format_mime_matches(const char *declared, const char *identified)
{
	char a[128], b[128], one[128];
	const char *p, *comma;

	if (declared == NULL || identified == NULL)
		return 0;
	mime_norm(b, sizeof(b), identified);
	if (b[0] == '\0')
		return 0;
	/* Some producers list alternatives: "application/xml, text/xml". */
	for (p = declared; p != NULL; p = comma != NULL ? comma + 1 : NULL) {
		comma = strchr(p, ',');
		if (snprintf(one, sizeof(one), "%.*s", comma != NULL ?
		    (int)(comma - p) : (int)strlen(p), p) >= (int)sizeof(one))
			continue;
		mime_norm(a, sizeof(a), one);
		if (a[0] != '\0' && strcmp(a, b) == 0)
			return 1;
	}
	return 0;
}

/*
 * seda_report.c: struct seda_report (the findings that become the Events
 * of a reply), the collector turning libxml2 errors into finding text, and
 * the cleaning of text before it goes into XML and the small helpers that
 * put it there.  Touches only memory.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sae/buf.h"
#include "sae/xmalloc.h"
#include "seda/seda.h"
#include "seda/seda_internal.h"

void
seda_report_init(struct seda_report *r)
{
	memset(r, 0, sizeof(*r));
	r->worst = SEDA_OK;
}

void
seda_report_done(struct seda_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->items[i].type);
		free(r->items[i].detail);
		free(r->items[i].message);
	}
	free(r->items);
	seda_report_init(r);
}

void
seda_report_add(struct seda_report *r, enum seda_outcome o, const char *type,
    const char *detail, const char *fmt, ...)
{
	struct sae_buf b = SAE_BUF_INIT;
	struct seda_finding *f;
	va_list ap;

	if (r->n == r->cap) {
		r->cap = r->cap == 0 ? 8 : r->cap * 2;
		r->items = sae_xreallocarray(r->items, r->cap,
		    sizeof(r->items[0]));
	}
	va_start(ap, fmt);
	sae_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	f = &r->items[r->n++];
	f->outcome = o;
	f->type = sae_xstrdup(type != NULL ? type : "");
	f->detail = sae_xstrdup(detail);
	f->message = sae_buf_detach(&b);
	if (o > r->worst)
		r->worst = o;
}

size_t
seda_report_count(const struct seda_report *r, enum seda_outcome o)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		if (r->items[i].outcome == o)
			n++;
	return n;
}

const char *
seda_outcome_name(enum seda_outcome o)
{
	switch (o) {
	case SEDA_OK:
		return "OK";
	case SEDA_WARNING:
		return "WARNING";
	default:
		return "KO";
	}
}

void
seda_xmlerrs_init(struct seda_xmlerrs *e, size_t max)
{
	sae_buf_init(&e->text);
	e->n = 0;
	e->max = max;
}

void
seda_xmlerrs_done(struct seda_xmlerrs *e)
{
	sae_buf_done(&e->text);
}

void
seda_xmlerrs_handler(void *ctx, xmlErrorPtr xe)
{
	struct seda_xmlerrs *e = ctx;
	const char *m;
	size_t len;

	/* Warnings (e.g. a skipped xsi:schemaLocation) decide nothing. */
	if (xe == NULL || xe->level < XML_ERR_ERROR)
		return;
	if (e->n++ >= e->max)
		return;
	m = xe->message != NULL ? xe->message : "erreur inconnue";
	len = strlen(m);
	while (len > 0 && (m[len - 1] == '\n' || m[len - 1] == ' '))
		len--;
	if (e->text.len > 0)
		sae_buf_adds(&e->text, " ; ");
	if (xe->line > 0)
		sae_buf_printf(&e->text, "ligne %d : ", xe->line);
	/* Messages quote document text: keep the finding valid UTF-8. */
	{
		char *raw = sae_xstrndup(m, len), *clean;

		clean = seda_utf8_clean(raw);
		sae_buf_adds(&e->text, clean);
		free(clean);
		free(raw);
	}
}

/* Length of the UTF-8 sequence at ${p} that XML 1.0 allows, 0 if none. */
static size_t
utf8_char(const unsigned char *p)
{
	unsigned long c;
	size_t n, i;

	if (p[0] < 0x80)
		return (p[0] >= 0x20 || p[0] == '\t' || p[0] == '\n' ||
		    p[0] == '\r') ? 1 : 0;
	if ((p[0] & 0xe0) == 0xc0) {
		n = 2;
		c = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3;
		c = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4;
		c = p[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates, U+FFFE/U+FFFF and beyond U+10FFFF. */
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
	    (n == 4 && c < 0x10000) || (c >= 0xd800 && c <= 0xdfff) ||
	    c == 0xfffe || c == 0xffff || c > 0x10ffff)
		return 0;
	return n;
}

char *
seda_utf8_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out, *o;
	size_t n;

	if (s == NULL)
		return NULL;
	o = out = sae_xmalloc(strlen(s) + 1);
	while (*p != '\0') {
		if ((n = utf8_char(p)) == 0) {
			*o++ = '?';
			p++;
			continue;
		}
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	*o = '\0';
	return out;
}

int
seda_token_ok(const char *s)
{
	if (s == NULL)
		return 0;
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 1;
	return 0;
}

xmlNodePtr
seda_xml_add(xmlNodePtr parent, const char *name, const char *text)
{
	char *clean = seda_utf8_clean(text);
	xmlNodePtr n;

	n = xmlNewTextChild(parent, parent->ns, (const xmlChar *)name,
	    (const xmlChar *)clean);
	free(clean);
	if (n == NULL)
		abort();	/* only on OOM, like sae_xmalloc */
	return n;
}

/*
 * seda_internal.h: what the files of seda/ share and nobody else sees: the
 * compiled schemas, the safe XML reader and the collector that turns
 * libxml2 errors into the text of a finding.
 */
#ifndef SEDA_SEDA_INTERNAL_H
#define SEDA_SEDA_INTERNAL_H

#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "sae/buf.h"
#include "seda/seda.h"

struct seda_schemas {
	xmlSchemaPtr	schema[SEDA_NVERSIONS];
};

/* Library errors gathered during one parse or validation. */
struct seda_xmlerrs {
	struct sae_buf	text;		/* "ligne 51 : msg ; ligne 60 : ..." */
	size_t		n;		/* errors seen, kept or not */
	size_t		max;		/* errors kept in ${text} */
};

/** seda_xmlerrs_init(e, max): empty collector keeping ${max} errors. */
void	seda_xmlerrs_init(struct seda_xmlerrs *, size_t);
void	seda_xmlerrs_done(struct seda_xmlerrs *);
/** seda_xmlerrs_handler: an xmlStructuredErrorFunc; ${ctx} is the collector. */
void	seda_xmlerrs_handler(void *, xmlErrorPtr);

/**
 * seda_xml_init(): initialises libxml2 and installs our external entity
 * loader, once per process, from any thread.
 */
void	seda_xml_init(void);

/**
 * seda_xml_read(xml, len, max_depth, what, report): parses ${xml} without
 * DTD, entities or network.  On refusal (DOCTYPE, not well-formed, too
 * deep) adds a KO finding about ${what} ("Le manifeste"...) and returns
 * NULL.  The caller frees the document with xmlFreeDoc.
 */
xmlDocPtr	seda_xml_read(const void *, size_t, size_t, const char *,
		    struct seda_report *);

/**
 * seda_schemas_validate_doc(schemas, version, doc, what, report): 1 when
 * ${doc} is valid, 0 when not (a KO finding CHECK_SEDA was added), -1 on
 * internal failure (${err} filled).
 */
int	seda_schemas_validate_doc(const struct seda_schemas *,
	    enum seda_version, xmlDocPtr, const char *, struct seda_report *,
	    struct sae_err *);

/** seda_utf8_clean(s): copy of ${s} XML 1.0 can carry (bad bytes: '?'). */
char	*seda_utf8_clean(const char *);

/** seda_token_ok(s): whether ${s} is a non-empty xsd:token once collapsed. */
int	seda_token_ok(const char *);

/**
 * seda_xml_add(parent, name, text): appends <name>text</name> (text may be
 * NULL) in the parent's namespace; the text is cleaned and escaped by
 * libxml2.  Aborts on OOM, like sae_xmalloc.
 */
xmlNodePtr	seda_xml_add(xmlNodePtr, const char *, const char *);

#endif

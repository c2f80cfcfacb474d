/*
 * format.h: file format identification with libmagic: a MIME type, the
 * libmagic description, and a PRONOM PUID from a small curated table
 * (versioned: FORMAT_TABLE_VERSION goes in FileFormatCodeListVersion).
 * Never guesses a PUID it cannot tell apart: no PUID is better than a
 * wrong one.  One struct format per thread (libmagic cookies are not
 * thread safe).
 */
#ifndef SAE_FORMAT_H
#define SAE_FORMAT_H

#include <stddef.h>

#include "sae/err.h"

#define FORMAT_TABLE_VERSION	"sae-pronom-1"
#define FORMAT_HEAD_MAX		(256 * 1024)	/* bytes worth passing to format_identify */

struct format;

struct format_result {
	char	mime[128];		/* "application/pdf"; "application/octet-stream" if unknown */
	char	description[256];	/* libmagic's text, "PDF document, version 1.4" */
	char	puid[32];		/* "fmt/18", or "" when not identified */
};

/** format_new(out, err): loads the libmagic database. */
int	format_new(struct format **, struct sae_err *);
void	format_free(struct format *);

/**
 * format_identify(f, head, len, total, out): identifies a file from its
 * first ${len} bytes (at most FORMAT_HEAD_MAX; ${total} is the whole
 * size, for formats whose signature needs it).  Always fills ${out}.
 */
void	format_identify(struct format *, const void *, size_t,
	    unsigned long long, struct format_result *);

/**
 * format_mime_matches(declared, identified): 1 when a declared MimeType
 * agrees with the identified one (case, parameters and known aliases such
 * as text/xml = application/xml ignored), else 0.
 */
int	format_mime_matches(const char *, const char *);

#endif

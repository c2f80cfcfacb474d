/*
 * log.h: one-line key=value log records on stderr (journald or the test
 * harness reads them).  seda/, storage/ and policies/ never log above
 * LOG_DEBUG: they return errors, and the caller that decides logs once.
 */
#ifndef SAE_LOG_H
#define SAE_LOG_H

#include <syslog.h>

#include "sae/err.h"

extern int sae_log_level;	/* records above this level are dropped */

/** sae_log_open(ident, level, use_syslog): sets the sink; stderr by default. */
void	sae_log_open(const char *, int, int);

#define sae_log(level, ...) do {					\
	if ((level) <= sae_log_level)					\
		sae_log_write((level), __VA_ARGS__);			\
} while (0)

void	sae_log_write(int, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/** sae_log_err(level, err, fmt, ...): the record followed by reason='err->msg'. */
void	sae_log_err(int, const struct sae_err *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

#endif

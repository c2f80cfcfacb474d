/*
 * log.c: the log sink (stderr, optionally syslog).  Records are formatted
 * into one buffer and written with one call so that lines from several
 * threads never interleave.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sae/log.h"

int sae_log_level = LOG_INFO;
static int use_syslog;

static const char *const names[] = {
	"emerg", "alert", "crit", "error", "warning", "notice", "info", "debug"
};

void
sae_log_open(const char *ident, int level, int want_syslog)
{
	sae_log_level = level;
	use_syslog = want_syslog;
	if (use_syslog)
		openlog(ident, LOG_PID, LOG_DAEMON);
}

static void log_emit(int, const char *, const char *, va_list, const char *)
    __attribute__((format(printf, 3, 0)));

static void
log_emit(int level, const char *prefix, const char *fmt, va_list ap,
    const char *suffix)
{
	char line[2048], stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	int n;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s %s %s", stamp,
	    names[level & 7], prefix);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	n = (int)strlen(line);
	if (suffix != NULL)
		snprintf(line + n, sizeof(line) - (size_t)n, "%s", suffix);
	n = (int)strlen(line);
	if ((size_t)n < sizeof(line) - 1) {
		line[n++] = '\n';
		line[n] = '\0';
	} else
		line[sizeof(line) - 2] = '\n';
	if (use_syslog)
		syslog(level, "%s", line + strlen(stamp) + 1);
	else if (write(STDERR_FILENO, line, strlen(line)) < 0)
		return;
}

void
sae_log_write(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(level, "", fmt, ap, NULL);
	va_end(ap);
}

void
sae_log_err(int level, const struct sae_err *err, const char *fmt, ...)
{
	char suffix[sizeof(err->msg) + 16];
	va_list ap;

	if (level > sae_log_level)
		return;
	snprintf(suffix, sizeof(suffix), " reason='%s'", err->msg);
	va_start(ap, fmt);
	log_emit(level, "", fmt, ap, suffix);
	va_end(ap);
}

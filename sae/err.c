/*
 * err.c: filling struct sae_err, and the one table that maps an error code
 * to an HTTP status, an exit status and a name.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sae/err.h"

static const struct {
	const char	*name;
	int		 http;
	int		 exit;
} codes[] = {
	[SAE_OK] =		{ "ok",		200, 0 },
	[SAE_EINVAL] =		{ "invalid",	400, 2 },
	[SAE_ENOTFOUND] =	{ "not-found",	404, 3 },
	[SAE_EEXIST] =		{ "exists",	409, 4 },
	[SAE_EDENIED] =		{ "denied",	403, 5 },
	[SAE_ECORRUPT] =	{ "corrupt",	500, 6 },
	[SAE_ELIMIT] =		{ "limit",	413, 7 },
	[SAE_EIO] =		{ "io",		500, 8 },
	[SAE_ENOMEM] =		{ "no-memory",	503, 9 },
	[SAE_EINTERNAL] =	{ "internal",	500, 10 },
};

void
sae_err_clear(struct sae_err *err)
{
	if (err == NULL)
		return;
	err->code = SAE_OK;
	err->sys_errno = 0;
	err->msg[0] = '\0';
}

static void err_vset(struct sae_err *, enum sae_code, int, const char *,
    va_list) __attribute__((format(printf, 4, 0)));

static void
err_vset(struct sae_err *err, enum sae_code code, int sys, const char *fmt,
    va_list ap)
{
	err->code = code;
	err->sys_errno = sys;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int
sae_err_set(struct sae_err *err, enum sae_code code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	err_vset(err, code, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int
sae_err_sys(struct sae_err *err, enum sae_code code, const char *fmt, ...)
{
	int saved = errno;
	size_t len;
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	err_vset(err, code, saved, fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	if (len < sizeof(err->msg))
		snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
		    strerror(saved));
	errno = saved;
	return -1;
}

void
sae_err_prefix(struct sae_err *err, const char *fmt, ...)
{
	char prefix[256], old[sizeof(err->msg)];
	char both[sizeof(prefix) + sizeof(old) + 2];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(both, sizeof(both), "%s: %s", prefix, old);
	memcpy(err->msg, both, sizeof(err->msg) - 1);
	err->msg[sizeof(err->msg) - 1] = '\0';
}

int
sae_err_http(enum sae_code code)
{
	if ((unsigned)code >= sizeof(codes) / sizeof(codes[0]))
		return 500;
	return codes[code].http;
}

int
sae_err_exit(enum sae_code code)
{
	if ((unsigned)code >= sizeof(codes) / sizeof(codes[0]))
		return 1;
	return codes[code].exit;
}

const char *
sae_err_name(enum sae_code code)
{
	if ((unsigned)code >= sizeof(codes) / sizeof(codes[0]))
		return "unknown";
	return codes[code].name;
}

void
sae_crashpoint(const char *name)
{
#ifdef SAE_CRASHPOINTS
	const char *want = getenv("SAE_CRASHPOINT");

	if (want != NULL && strcmp(want, name) == 0)
		abort();
#else
	(void)name;
#endif
}

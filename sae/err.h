/*
 * err.h: the error value every fallible function fills: a code for
 * programs (HTTP status, SEDA reply code, exit status) and one sentence for
 * people.  Touches nothing but the struct it is given.
 */
#ifndef SAE_ERR_H
#define SAE_ERR_H

enum sae_code {
	SAE_OK = 0,
	SAE_EINVAL,	/* bad input: the caller (or its client) must change it */
	SAE_ENOTFOUND,
	SAE_EEXIST,
	SAE_EDENIED,	/* not allowed for this caller */
	SAE_ECORRUPT,	/* stored data does not match its fingerprint */
	SAE_ELIMIT,	/* a configured limit was exceeded */
	SAE_EIO,
	SAE_ENOMEM,
	SAE_EINTERNAL
};

struct sae_err {
	enum sae_code	code;
	int		sys_errno;	/* errno when the failure came from the OS */
	char		msg[512];	/* one line, for a person; quote names: 'x.pdf' */
};

/** sae_err_clear(err): resets ${err} to SAE_OK with an empty message. */
void	sae_err_clear(struct sae_err *);

/**
 * sae_err_set(err, code, fmt, ...): records ${code} and the formatted
 * message in ${err} (which may be NULL).  Returns -1 so that callers can
 * write "return sae_err_set(...)".
 */
int	sae_err_set(struct sae_err *, enum sae_code, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/** sae_err_sys(err, code, fmt, ...): as sae_err_set, appending ": strerror(errno)". */
int	sae_err_sys(struct sae_err *, enum sae_code, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/** sae_err_prefix(err, fmt, ...): prepends "context: " to the message. */
void	sae_err_prefix(struct sae_err *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/** sae_err_http(code): the HTTP status that answers an error of ${code}. */
int	sae_err_http(enum sae_code);

/** sae_err_exit(code): the exit status of a command that failed with ${code}. */
int	sae_err_exit(enum sae_code);

/** sae_err_name(code): a short stable name ("invalid", "not-found"...). */
const char *sae_err_name(enum sae_code);

/**
 * sae_crashpoint(name): a test hook: in builds configured with
 * --enable-crashpoints, aborts the process when the environment's
 * SAE_CRASHPOINT names ${name}, so that tests check recovery from a
 * crash at that exact point.  Does nothing otherwise.
 */
void	sae_crashpoint(const char *);

#endif

/*
 * saed.c: main() of the archive daemon: options, the -n configuration
 * check, signals, start and stop order.
 */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sae/audit.h"
#include "sae/daemon.h"
#include "sae/http.h"
#include "sae/log.h"
#include "sae/catalog.h"
#include "sae/scheduler.h"
#include "sae/seal.h"
#include "sae/xmalloc.h"

/* What was journaled since the last seal is sealed before saed stops. */
static void
seal_at_stop(struct sae_daemon *d)
{
	struct sae_err err;
	long long n;
	sqlite3 *db;

	if ((db = catalog_get(d->catalog, &err)) == NULL ||
	    seal_now(db, d->tsa, "system", &n, &err) == -1)
		sae_log_err(LOG_ERR, &err, "seal at stop");
	else if (n > 0)
		sae_log(LOG_NOTICE, "seal entries=%lld", n);
	catalog_put(d->catalog, db);
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: saed --data DIR [--config FILE] [--listen HOST:PORT] [-n]\n"
"\n"
"The sae archive daemon: receives SEDA packages over HTTP, checks,\n"
"fingerprints, time-stamps and stores them.\n"
"\n"
"  -d, --data DIR       data directory (created and initialised if missing)\n"
"  -c, --config FILE    configuration file (default: built-in defaults)\n"
"  -l, --listen H:P     address and port (default 127.0.0.1:%d; port 0\n"
"                       picks a free port)\n"
"  -n, --check          check the configuration and schemas, then exit\n"
"  -p, --print-config   print the effective configuration, then exit\n"
"  -h, --help           this help\n"
"  -V, --version        version\n"
"\n"
"When ready, saed prints a line 'ready port=N'.  See saed(8).\n",
	    SAE_DEFAULT_PORT);
}

static int
parse_listen(const char *s, char **host, int *port)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long p;

	if (colon == NULL) {
		*host = sae_xstrdup(s);
		return 0;
	}
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 0 || p > 65535 || colon[1] == '\0')
		return -1;
	*host = sae_xstrndup(s, (size_t)(colon - s));
	*port = (int)p;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "check", no_argument, NULL, 'n' },
		{ "print-config", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *data = NULL, *config = NULL, *listen_arg = NULL;
	struct http_server *srv = NULL;
	struct scheduler *sched = NULL;
	struct sae_daemon d;
	struct sae_err err;
	struct sigaction sa;
	sigset_t stopset;
	int sig;
	int c, check = 0, print = 0, port = -1;
	char *host = NULL;

	while ((c = getopt_long(argc, argv, "d:c:l:nphV", opts, NULL)) != -1)
		switch (c) {
		case 'd': data = optarg; break;
		case 'c': config = optarg; break;
		case 'l': listen_arg = optarg; break;
		case 'n': check = 1; break;
		case 'p': print = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V':
#ifdef SAE_CRASHPOINTS
			printf("saed %s (crash points enabled)\n",
			    PACKAGE_VERSION);
#else
			printf("saed %s\n", PACKAGE_VERSION);
#endif
			return 0;
		default: usage(stderr); return 2;
		}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (data == NULL && !check && !print) {
		fprintf(stderr, "saed: --data DIR is required\n");
		return 2;
	}
	if (listen_arg != NULL && parse_listen(listen_arg, &host, &port)) {
		fprintf(stderr, "saed: --listen '%s' is not HOST:PORT\n",
		    listen_arg);
		return 2;
	}
	umask(077);	/* catalog, keys and copies are nobody else's business */
	/* libarchive converts entry names with the locale's charset: UTF-8,
	 * whatever the environment, so that names like « procès-verbal.pdf »
	 * are read as SEDA wants them.  Only LC_CTYPE: messages and numbers
	 * stay in the C locale. */
	setlocale(LC_CTYPE, "C.UTF-8");
	sae_log_open("saed", LOG_INFO, 0);
	if (daemon_open(&d, data != NULL ? data : ".", config, check || print,
	    &err) == -1) {
		fprintf(stderr, "saed: %s\n", err.msg);
		free(host);
		return sae_err_exit(err.code) ? sae_err_exit(err.code) : 1;
	}
	if (host != NULL) {
		free(d.cfg.listen_host);
		d.cfg.listen_host = host;
	}
	if (port >= 0)
		d.cfg.listen_port = port;
	if (print)
		sae_config_dump(&d.cfg, stdout);
	if (check || print) {
		if (check)
			printf("configuration OK\n");
		daemon_close(&d);
		return 0;
	}
	/* SIGINT and SIGTERM are blocked before any thread starts (threads
	 * inherit the mask) and taken with sigwait below: a handler plus
	 * pause() could miss a signal delivered to another thread or just
	 * before pause(), and saed would never stop. */
	sigemptyset(&stopset);
	sigaddset(&stopset, SIGINT);
	sigaddset(&stopset, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stopset, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* Over a file size limit, a write must fail and be answered, not
	 * kill the daemon. */
	sigaction(SIGXFSZ, &sa, NULL);
	port = d.cfg.listen_port;
	/* The scheduler first: requests may wake it (an approved disposal). */
	if (scheduler_start(&sched, &d, &err) == -1) {
		fprintf(stderr, "saed: %s\n", err.msg);
		daemon_close(&d);
		return 1;
	}
	if (http_start(&srv, &d, &port, &err) == -1) {
		fprintf(stderr, "saed: %s\n", err.msg);
		scheduler_stop(sched);
		daemon_close(&d);
		return 1;
	}
	sae_log(LOG_NOTICE, "ready host=%s port=%d data=%s",
	    d.cfg.listen_host, port, d.cfg.data_dir);
	printf("saed ready port=%d\n", port);
	fflush(stdout);
	while (sigwait(&stopset, &sig) != 0)
		;
	sae_log(LOG_NOTICE, "stopping");
	http_stop(srv);
	scheduler_stop(sched);
	/* Cancelled before the last seal, which then covers all it did. */
	audit_job_stop(d.audits);
	seal_at_stop(&d);
	daemon_close(&d);
	return 0;
}

/*
 * sae-admin.c: the command-line tool of the operator and the archivist.
 * Works on the data directory directly (the catalog is safe to share with
 * a running saed): tokens, the DUA table, journal verification.
 */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policies/retention.h"
#include "sae/ages.h"
#include "sae/audit.h"
#include "sae/buf.h"
#include "sae/catalog.h"
#include "sae/daemon.h"
#include "sae/disposal.h"
#include "sae/export.h"
#include "sae/export_package.h"
#include "sae/fsutil.h"
#include "sae/holds.h"
#include "sae/id.h"
#include "sae/journal.h"
#include "sae/log.h"
#include "sae/proof.h"
#include "sae/rules.h"
#include "sae/seal.h"
#include "sae/stats.h"
#include "sae/token.h"
#include "sae/transfer_out.h"
#include "sae/tsa.h"
#include "sae/xmalloc.h"

struct cmd {
	const char	*group;
	const char	*name;
	int		(*run)(struct sae_daemon *, sqlite3 *, int, char **);
	const char	*help;
};

static int
fail(const struct sae_err *err)
{
	fprintf(stderr, "sae-admin: %s\n", err->msg);
	return sae_err_exit(err->code) ? sae_err_exit(err->code) : 1;
}

static int
cmd_token_create(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		{ "agency", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	const char *role = NULL, *name = NULL, *agency = NULL;
	struct sae_err err;
	char *secret;
	int c, r;

	(void)d;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:n:a:", opts, NULL)) != -1)
		switch (c) {
		case 'r': role = optarg; break;
		case 'n': name = optarg; break;
		case 'a': agency = optarg; break;
		default: return 2;
		}
	if (role == NULL || name == NULL) {
		fprintf(stderr, "usage: sae-admin token create --role "
		    "producer|archivist|auditor|admin --name NAME "
		    "[--agency ID]\n");
		return 2;
	}
	if ((r = token_role_parse(role)) < 0) {
		fprintf(stderr, "sae-admin: unknown role '%s' (producer, "
		    "archivist, auditor or admin)\n", role);
		return 2;
	}
	if (token_create(db, name, (enum token_role)r, agency, "sae-admin",
	    &secret, &err) == -1)
		return fail(&err);
	printf("token for '%s' (%s%s%s); it is shown only once:\n%s\n", name,
	    role, agency ? ", agency " : "", agency ? agency : "", secret);
	free(secret);
	return 0;
}

static int
cmd_token_list(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	struct sae_buf out = SAE_BUF_INIT;
	struct sae_err err;

	(void)d;
	(void)argc;
	(void)argv;
	if (token_list(db, &out, &err) == -1)
		return fail(&err);
	fputs(out.data, stdout);
	sae_buf_done(&out);
	return 0;
}

static int
cmd_token_revoke(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	struct sae_err err;

	(void)d;
	if (argc != 2) {
		fprintf(stderr, "usage: sae-admin token revoke NAME\n");
		return 2;
	}
	if (token_revoke(db, argv[1], "sae-admin", &err) == -1)
		return fail(&err);
	printf("token '%s' revoked\n", argv[1]);
	return 0;
}

static int
cmd_rules_import(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	struct sae_buf csv = SAE_BUF_INIT;
	struct sae_err err;
	long long version;
	const char *base;
	int rc;

	(void)d;
	if (argc != 2) {
		fprintf(stderr, "usage: sae-admin rules import FILE.csv\n");
		return 2;
	}
	if (sae_fs_read(argv[1], &csv, 64u << 20, &err) == -1)
		return fail(&err);
	base = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1];
	rc = rules_import(db, csv.data ? csv.data : "", csv.len, base,
	    "sae-admin", &version, &err);
	sae_buf_done(&csv);
	if (rc == -1)
		return fail(&err);
	printf("DUA table '%s' imported as version %lld\n", argv[1], version);
	return 0;
}

static int
cmd_rules_list(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	struct dua_table *t;
	struct sae_err err;
	size_t i;

	(void)d;
	(void)argc;
	(void)argv;
	if (rules_load(db, &t, &err) == -1)
		return fail(&err);
	printf("%-14s %-20s %-10s %-8s %s\n", "ID", "TYPE", "DURATION",
	    "FINAL", "LABEL");
	for (i = 0; i < t->n; i++) {
		const struct dua_rule *r = &t->rules[i];
		char dur[32];

		if (r->unlimited)
			snprintf(dur, sizeof(dur), "unlimited");
		else if (r->has_duration)
			snprintf(dur, sizeof(dur), "%d %s", r->duration,
			    dua_measure_name(r->measure));
		else
			snprintf(dur, sizeof(dur), "-");
		printf("%-14s %-20s %-10s %-8s %s\n", r->id,
		    dua_type_name(r->type), dur,
		    r->final_action ? dua_final_name(r->final_action) : "-",
		    r->value);
	}
	dua_table_free(t);
	return 0;
}

static int
cmd_journal_verify(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	struct sae_buf ca = SAE_BUF_INIT;
	struct sae_err err;
	long long bad, unsealed;
	char path[4096];

	(void)argc;
	(void)argv;
	if (journal_verify(db, &bad, &err) == -1) {
		if (bad > 0)
			printf("journal: NOT OK at entry %lld: %s\n", bad,
			    err.msg);
		return fail(&err);
	}
	if (sae_path(path, sizeof(path), "%s/tsa/ca.pem", d->cfg.data_dir) ||
	    sae_fs_read(path, &ca, 1 << 20, &err) == -1) {
		printf("journal: hash chain holds, but the seals cannot be "
		    "checked without the TSA certificate\n");
		return fail(&err);
	}
	if (seal_verify(db, ca.data, &bad, &unsealed, &err) == -1) {
		sae_buf_done(&ca);
		if (bad > 0)
			printf("journal: NOT OK at seal %lld: %s\n", bad,
			    err.msg);
		return fail(&err);
	}
	sae_buf_done(&ca);
	printf("journal: OK (hash chain and every seal hold; %lld entr%s "
	    "after the last seal)\n", unsealed, unsealed == 1 ? "y" : "ies");
	return 0;
}

static int
cmd_hold_place(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "reference", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	struct hold_request hr;
	struct sae_err err;
	char id[SAE_ID_LEN + 1];
	int c;

	(void)d;
	memset(&hr, 0, sizeof(hr));
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:f:u:", opts, NULL)) != -1)
		switch (c) {
		case 'r': hr.reason = optarg; break;
		case 'f': hr.reference = optarg; break;
		case 'u': hr.until = optarg; break;
		default: return 2;
		}
	if (optind + 1 != argc || hr.reason == NULL) {
		fprintf(stderr, "usage: sae-admin hold place UNIT --reason TEXT "
		    "[--reference REF] [--until YYYY-MM-DD]\n");
		return 2;
	}
	hr.unit = argv[optind];
	if (hold_place(db, &hr, "sae-admin", id, &err) == -1)
		return fail(&err);
	printf("hold placed on unit %s:\n%s\n", hr.unit, id);
	return 0;
}

static int
cmd_hold_lift(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	const char *reason = NULL;
	struct sae_err err;
	int c;

	(void)d;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:", opts, NULL)) != -1)
		switch (c) {
		case 'r': reason = optarg; break;
		default: return 2;
		}
	if (optind + 1 != argc || reason == NULL) {
		fprintf(stderr, "usage: sae-admin hold lift HOLD --reason "
		    "TEXT\n");
		return 2;
	}
	if (hold_lift(db, argv[optind], reason, "sae-admin", &err) == -1)
		return fail(&err);
	printf("hold %s lifted\n", argv[optind]);
	return 0;
}

static int
cmd_hold_list(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	struct sae_buf out = SAE_BUF_INIT;
	struct sae_err err;
	char today[11];

	(void)d;
	ages_today(today);
	if (hold_json(db, argc > 1 ? argv[1] : NULL, today, &out, &err) == -1)
		return fail(&err);
	fputs(out.data, stdout);
	sae_buf_done(&out);
	return 0;
}

static void
print_holdings(const char *title, json_t *o)
{
	const char *key;
	json_t *v;

	printf("\n%s\n", title);
	json_object_foreach(o, key, v)
		printf("  %-22s %8lld units %8lld objects %14lld bytes\n", key,
		    (long long)json_integer_value(json_object_get(v, "units")),
		    (long long)json_integer_value(json_object_get(v,
		    "objects")),
		    (long long)json_integer_value(json_object_get(v, "bytes")));
}

/* The TSA certificates' ends, and what needs a person before them. */
static void
print_tsa(struct sae_daemon *d)
{
	struct tsa_cert_info cert, ca;
	struct sae_err err;
	char dir[4096];
	time_t now = time(NULL);
	long margin = (long)d->cfg.tsa_renew_days;

	printf("\ntime-stamping authority\n");
	if (sae_path(dir, sizeof(dir), "%s/tsa", d->cfg.data_dir) == -1 ||
	    tsa_read_info(dir, &cert, &ca, &err) == -1) {
		printf("  cannot be read: %s\n", err.msg);
		return;
	}
	printf("  TSA certificate  %s, valid until %s (%ld days)\n",
	    cert.sha256, cert.not_after, (long)((cert.not_after_t - now) /
	    86400));
	printf("  CA certificate   %s, valid until %s (%ld days)\n",
	    ca.sha256, ca.not_after, (long)((ca.not_after_t - now) / 86400));
	if (cert.not_after_t < now)
		printf("  WARNING: the TSA certificate has expired: nothing "
		    "can be time-stamped; saed renews it at start\n");
	else if ((cert.not_after_t - now) / 86400 < margin)
		printf("  note: the TSA certificate is due for renewal "
		    "(renew_days = %ld): saed renews it at start and daily\n",
		    margin);
	if ((ca.not_after_t - now) / 86400 < margin)
		printf("  WARNING: the CA certificate expires within "
		    "renew_days = %ld days and saed does not renew it: plan "
		    "a new time-stamping authority and publish its CA before "
		    "%s; TSA certificates cannot outlive it\n", margin,
		    ca.not_after);
}

static int
cmd_status(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	struct sae_err err;
	char today[11];
	json_t *o, *t;
	int days[] = { 30, 365 };
	const char *k;
	char key[32];
	size_t i;

	(void)d;
	(void)argc;
	(void)argv;
	ages_today(today);
	if (stats_get(db, today, &o, &err) == -1)
		return fail(&err);
	printf("holdings on %s\n", today);
	t = json_pack("{s:O}", "alive", json_object_get(o, "total"));
	print_holdings("total", t);
	json_decref(t);
	print_holdings("by age", json_object_get(o, "by_age"));
	print_holdings("by agency", json_object_get(o, "by_agency"));
	print_holdings("by rule", json_object_get(o, "by_rule"));
	printf("\ncopies by storage offer\n");
	json_object_foreach(json_object_get(o, "by_offer"), k, t)
		printf("  %-16s %10lld copies %14lld bytes\n", k, (long long)
		    json_integer_value(json_object_get(t, "copies")),
		    (long long)json_integer_value(json_object_get(t,
		    "bytes")));
	printf("\nchanges of age due\n");
	for (i = 0; i < 2; i++) {
		snprintf(key, sizeof(key), "next_%d_days", days[i]);
		t = json_object_get(json_object_get(o, "transitions"), key);
		printf("  within %3d days (until %s): %lld end of DUA, %lld end "
		    "of current use\n", days[i], json_string_value(
		    json_object_get(t, "until")), (long long)
		    json_integer_value(json_object_get(t, "end_of_dua")),
		    (long long)json_integer_value(json_object_get(t,
		    "end_of_current_use")));
	}
	json_decref(o);
	print_tsa(d);
	return 0;
}

static int
cmd_ages(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	struct ages_stats st;
	struct ret_defaults def;
	struct sae_err err;
	char today[11];
	size_t i;

	(void)argc;
	(void)argv;
	ages_today(today);
	daemon_retention_defaults(&d->cfg, &def);
	if (ages_recompute(db, today, "sae-admin", &def, &st, &err) == -1)
		return fail(&err);
	printf("ages on %s: %zu units, %zu changed, %zu changes of age\n",
	    today, st.units, st.changed, st.age_changes);
	for (i = 0; i < 5; i++)
		printf("  %-13s %zu\n", retention_age_name((enum ret_age)i),
		    st.by_age[i]);
	if (st.age_changes > 0)
		printf("saed moves the copies their new ages call for at its "
		    "next pass (within seconds when it runs)\n");
	return 0;
}

static int
cmd_rules_diff(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	struct sae_buf csv = SAE_BUF_INIT;
	struct dua_table *t = NULL;
	struct ret_defaults def;
	struct sae_err err;
	char today[11];
	json_t *changes, *c;
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: sae-admin rules diff FILE.csv\n");
		return 2;
	}
	if (sae_fs_read(argv[1], &csv, 64u << 20, &err) == -1 ||
	    dua_csv_parse(&t, csv.data ? csv.data : "", csv.len, argv[1],
	    &err) == -1) {
		sae_buf_done(&csv);
		return fail(&err);
	}
	sae_buf_done(&csv);
	ages_today(today);
	daemon_retention_defaults(&d->cfg, &def);
	if (ages_preview(db, t, today, &def, &changes, &err) == -1) {
		dua_table_free(t);
		return fail(&err);
	}
	printf("importing %s on %s would change %zu unit(s)\n", argv[1], today,
	    json_array_size(changes));
	json_array_foreach(changes, i, c)
		printf("  %s: %s -> %s, DUA end %s -> %s\n",
		    json_string_value(json_object_get(c, "unit")),
		    json_string_value(json_object_get(c, "age")) ?
		    json_string_value(json_object_get(c, "age")) : "-",
		    json_string_value(json_object_get(c, "new_age")),
		    json_string_value(json_object_get(c, "end_date")) ?
		    json_string_value(json_object_get(c, "end_date")) : "none",
		    json_string_value(json_object_get(c, "new_end_date")) ?
		    json_string_value(json_object_get(c, "new_end_date")) :
		    "none");
	json_decref(changes);
	dua_table_free(t);
	return 0;
}

static int
cmd_rules_show(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	const struct dua_rule *r;
	struct dua_table *t;
	struct sae_err err;
	sqlite3_stmt *st;
	long long used = 0;

	(void)d;
	if (argc != 2) {
		fprintf(stderr, "usage: sae-admin rules show RULE\n");
		return 2;
	}
	if (rules_load(db, &t, &err) == -1)
		return fail(&err);
	if ((r = dua_table_find(t, argv[1])) == NULL) {
		dua_table_free(t);
		fprintf(stderr, "sae-admin: no rule '%s' in the DUA table\n",
		    argv[1]);
		return sae_err_exit(SAE_ENOTFOUND);
	}
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM unit WHERE rule = ? "
	    "AND state = 'alive'", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			used = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	printf("id:           %s\ntype:         %s\nlabel:        %s\n",
	    r->id, dua_type_name(r->type), r->value);
	if (r->unlimited)
		printf("duration:     unlimited\n");
	else if (r->has_duration)
		printf("duration:     %d %s\n", r->duration,
		    dua_measure_name(r->measure));
	printf("final action: %s\nstart event:  %s\ndomain:       %s\n"
	    "description:  %s\nunits:        %lld (effective appraisal "
	    "rule)\n", r->final_action ? dua_final_name(r->final_action) :
	    "-", r->start_event ? r->start_event : "-",
	    r->domain ? r->domain : "-", r->description, used);
	dua_table_free(t);
	return 0;
}

/* "12.3 MiB": sizes on the progress line. */
static void
human(char *out, size_t size, double bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	size_t u = 0;

	while (bytes >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		bytes /= 1024;
		u++;
	}
	snprintf(out, size, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
}

struct audit_tty {
	int	shown;		/* a line to end with a newline */
};

/* Progress on a terminal: rewritten in place, on stderr. */
static void
audit_progress(void *arg, const struct audit_progress *pr)
{
	struct audit_tty *t = arg;
	char done[32], total[32], rate[32];
	long long copies = pr->copies_total > pr->copies_done ?
	    pr->copies_total : pr->copies_done;

	human(done, sizeof(done), (double)pr->bytes_done);
	human(total, sizeof(total), (double)pr->bytes_total);
	human(rate, sizeof(rate), pr->seconds > 0 ?
	    (double)pr->bytes_done / pr->seconds : 0);
	fprintf(stderr, "\raudit: %lld/%lld copies, %s read (of %s listed), "
	    "%s/s, %.0f s   ", pr->copies_done, copies, done, total, rate,
	    pr->seconds);
	fflush(stderr);
	t->shown = 1;
}

/*
 * One problem of an audit: what, then the unit, object, content and offer
 * it names; for a disagreement with the journal, what differs.
 */
static void
print_problem(json_t *p)
{
	const char *unit = json_string_value(json_object_get(p, "unit"));
	const char *obj = json_string_value(json_array_get(json_object_get(p,
	    "objects"), 0));
	const char *sha = json_string_value(json_object_get(p, "sha256"));
	const char *offer = json_string_value(json_object_get(p, "offer"));

	printf("  %s:", json_string_value(json_object_get(p, "problem")));
	if (unit != NULL)
		printf(" unit %s%s", unit, obj != NULL ? "," : "");
	if (obj != NULL)
		printf(" object %s", obj);
	if (sha != NULL)
		printf(" (content %s)", sha);
	if (offer != NULL || (unit == NULL && sha != NULL))
		printf(" on offer '%s'", offer != NULL ? offer : "-");
	if (json_object_get(p, "journal_seq") != NULL || (unit != NULL &&
	    obj == NULL))
		printf(": %s", json_string_value(json_object_get(p, "detail")));
	printf("%s\n", json_is_true(json_object_get(p, "repaired")) ?
	    " -- repaired" : "");
}

static int
cmd_audit(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sample", required_argument, NULL, 's' },
		{ "repair", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	struct audit_options ao;
	struct audit_tty tty = { 0 };
	struct sae_err err;
	char path[4096];
	json_t *report, *p;
	size_t i;
	int c, ok, rc;

	memset(&ao, 0, sizeof(ao));
	ao.sample = 100;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:r", opts, NULL)) != -1)
		switch (c) {
		case 's':
			ao.sample = atoi(optarg);
			if (ao.sample < 1 || ao.sample > 100) {
				fprintf(stderr, "sae-admin: --sample is a "
				    "percentage, 1 to 100\n");
				return 2;
			}
			break;
		case 'r': ao.repair = 1; break;
		default: return 2;
		}
	/* Progress only for a person watching: never into a log or a pipe. */
	if (isatty(STDERR_FILENO)) {
		ao.progress = audit_progress;
		ao.progress_arg = &tty;
	}
	if (daemon_attach_store(d, &err) == -1)
		return fail(&err);
	rc = audit_run(db, d->store, &ao, "sae-admin", &report, &err);
	if (tty.shown)
		fputc('\n', stderr);
	if (rc == -1)
		return fail(&err);
	ok = json_is_true(json_object_get(report, "ok"));
	printf("audit of %lld copies (%lld read, %lld bytes): %zu problem(s), "
	    "%lld repaired: %s\n", (long long)json_integer_value(
	    json_object_get(report, "copies")), (long long)json_integer_value(
	    json_object_get(report, "checked")), (long long)json_integer_value(
	    json_object_get(report, "bytes_checked")), json_array_size(
	    json_object_get(report, "problems")), (long long)
	    json_integer_value(json_object_get(report, "repaired")),
	    ok ? "OK" : "NOT OK");
	json_array_foreach(json_object_get(report, "problems"), i, p)
		print_problem(p);
	/* The report is kept for auditors, beside the daemon's. */
	if (audit_report_save(d->cfg.data_dir, report, path, sizeof(path),
	    &err) == 0)
		printf("report: %s\n", path);
	else
		fprintf(stderr, "sae-admin: %s\n", err.msg);
	json_decref(report);
	return ok ? 0 : sae_err_exit(SAE_ECORRUPT);
}

/* The daemon's TSA, for a seal and the manifest's token; never made here. */
static int
attach_tsa(struct sae_daemon *d, struct sae_err *err)
{
	struct tsa_conf tc;
	char dir[4096];
	int created;

	if (sae_path(dir, sizeof(dir), "%s/tsa", d->cfg.data_dir) == -1)
		return sae_err_set(err, SAE_EINVAL, "data directory path too "
		    "long");
	if (!sae_fs_exists(dir))
		return sae_err_set(err, SAE_ENOTFOUND, "no time-stamping "
		    "authority in '%s' (saed makes it at its first start)",
		    dir);
	memset(&tc, 0, sizeof(tc));
	tc.dir = dir;
	tc.policy_oid = d->cfg.tsa_policy;
	tc.name = "sae TSA";
	tc.validity_days = d->cfg.tsa_validity_days;
	return tsa_open(&d->tsa, &tc, &created, err);
}

static int
cmd_proof(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "objects", no_argument, NULL, 'O' },
		{ NULL, 0, NULL, 0 }
	};
	struct proof_opts po = { NULL, "sae-admin", 0 };
	struct proof_result pr;
	struct sae_err err;
	const char *out = NULL;
	char tmp[4096], dir[4096], *slash;
	int c, fd, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1)
		switch (c) {
		case 'o': out = optarg; break;
		case 'O': po.objects = 1; break;
		default: return 2;
		}
	if (out == NULL || optind + 1 != argc) {
		fprintf(stderr, "usage: sae-admin proof UNIT-ID -o FILE "
		    "[--objects]\n");
		return 2;
	}
	if (attach_tsa(d, &err) == -1 ||
	    (po.objects && daemon_attach_store(d, &err) == -1))
		return fail(&err);
	/* Atomic: FILE is the whole bundle or is left as it was. */
	if (sae_path(tmp, sizeof(tmp), "%s.XXXXXX", out) == -1 ||
	    sae_path(dir, sizeof(dir), "%s", out) == -1) {
		fprintf(stderr, "sae-admin: path too long: '%s'\n", out);
		return 2;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		sae_err_sys(&err, SAE_EIO, "cannot create '%s'", tmp);
		return fail(&err);
	}
	rc = proof_build(fd, db, d->store, d->tsa, argv[optind], &po, &pr,
	    &err);
	if (rc == 0 && fsync(fd) == -1)
		rc = sae_err_sys(&err, SAE_EIO, "cannot write '%s'", tmp);
	if (close(fd) == -1 && rc == 0)
		rc = sae_err_sys(&err, SAE_EIO, "cannot write '%s'", tmp);
	if (rc == 0 && rename(tmp, out) == -1)
		rc = sae_err_sys(&err, SAE_EIO, "cannot rename '%s' to '%s'",
		    tmp, out);
	if (rc == -1) {
		unlink(tmp);
		return fail(&err);
	}
	if ((slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (sae_fs_fsync_dir(dir, &err) == -1)
		return fail(&err);
	printf("proof of unit %s: %s (%llu bytes; %lld journal entries, "
	    "%lld objects%s)\nmanifest sha256 %s\n", argv[optind], out,
	    (unsigned long long)pr.size, pr.entries, pr.objects,
	    po.objects ? " included" : " listed", pr.manifest_sha256);
	return 0;
}

/*
 * export-package TRANSFER -o FILE: the transfer's alive units as a SEDA
 * package, from one snapshot of the catalog; FILE is whole or untouched.
 */
static int
cmd_export_package(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	struct export_package_stats ps;
	struct sae_err err;
	const char *out = NULL;
	char tmp[4096];
	int c, rc;

	optind = 1;
	while ((c = getopt(argc, argv, "o:")) != -1)
		switch (c) {
		case 'o': out = optarg; break;
		default: return 2;
		}
	if (out == NULL || optind + 1 != argc) {
		fprintf(stderr, "usage: sae-admin export-package TRANSFER-ID "
		    "-o FILE.zip\n");
		return 2;
	}
	if (sae_path(tmp, sizeof(tmp), "%s.part", out) == -1) {
		fprintf(stderr, "sae-admin: path too long: '%s'\n", out);
		return 2;
	}
	if (daemon_attach_store(d, &err) == -1 ||
	    catalog_exec(db, "BEGIN", &err) == -1)
		return fail(&err);
	rc = export_package(db, d->store, argv[optind], tmp, &ps, &err);
	catalog_rollback(db);	/* only read */
	if (rc == 0 && rename(tmp, out) == -1)
		rc = sae_err_sys(&err, SAE_EIO, "cannot rename '%s' to '%s'",
		    tmp, out);
	if (rc == -1) {
		unlink(tmp);
		return fail(&err);
	}
	printf("transfer %s: %s (%zu units, %zu objects, %llu bytes)\n",
	    argv[optind], out, ps.units, ps.objects,
	    (unsigned long long)ps.bytes);
	return 0;
}

/*
 * The selection of export and transfer create: (--all | --agency ID |
 * --rule ID | --age AGE | --unit ID...) -o DIR, as the JSON the API takes.
 * NULL after a usage message (naming ${cmd}).
 */
static json_t *
selection_args(int argc, char **argv, const char *cmd, const char **dir)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "agency", required_argument, NULL, 'g' },
		{ "rule", required_argument, NULL, 'r' },
		{ "age", required_argument, NULL, 'A' },
		{ "unit", required_argument, NULL, 'u' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	json_t *o = json_object(), *units = json_array();
	int c, bad = 0;

	*dir = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ag:r:A:u:o:", opts, NULL)) != -1)
		switch (c) {
		case 'a': json_object_set_new(o, "all", json_true()); break;
		case 'g': json_object_set_new(o, "agency", json_string(optarg)); break;
		case 'r': json_object_set_new(o, "rule", json_string(optarg)); break;
		case 'A': json_object_set_new(o, "age", json_string(optarg)); break;
		case 'u': json_array_append_new(units, json_string(optarg)); break;
		case 'o': *dir = optarg; break;
		default: bad = 1; break;
		}
	if (json_array_size(units) > 0)
		json_object_set(o, "units", units);
	json_decref(units);
	if (bad || optind != argc || *dir == NULL) {
		fprintf(stderr, "usage: sae-admin %s (--all | --agency ID | "
		    "--rule ID | --age AGE | --unit ID...) -o DIR\n", cmd);
		json_decref(o);
		return NULL;
	}
	return o;
}

/* transfer create SELECTION -o DIR: packages for another archive. */
static int
cmd_transfer_create(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	struct sae_err err;
	json_t *o, *sum = NULL, *p;
	char id[SAE_ID_LEN + 1];
	const char *dir;
	size_t i;
	int rc;

	if ((o = selection_args(argc, argv, "transfer create", &dir)) == NULL)
		return 2;
	if (daemon_attach_store(d, &err) == -1) {
		json_decref(o);
		return fail(&err);
	}
	rc = transfer_out_create(db, d->store, &d->cfg, o, dir, "sae-admin", id,
	    &sum, &err);
	json_decref(o);
	if (rc == -1)
		return fail(&err);
	printf("transfer %s: %lld unit(s) in transfer, until the other "
	    "archive's ArchiveTransferReply (sae-admin transfer reply FILE):\n",
	    id, (long long)json_integer_value(json_object_get(sum, "units")));
	json_array_foreach(json_object_get(sum, "packages"), i, p)
		printf("%s\t%s\n", json_string_value(json_object_get(p,
		    "message_id")), json_string_value(json_object_get(p,
		    "path")));
	json_decref(sum);
	return 0;
}

/* transfer reply FILE: the other archive's answer to one package. */
static int
cmd_transfer_reply(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	struct sae_buf xml = SAE_BUF_INIT;
	struct sae_err err;
	json_t *sum = NULL;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: sae-admin transfer reply "
		    "ARCHIVE-TRANSFER-REPLY.xml\n");
		return 2;
	}
	if (sae_fs_read(argv[1], &xml, 64u << 20, &err) == -1 ||
	    daemon_attach_schemas(d, &err) == -1 ||
	    daemon_attach_store(d, &err) == -1) {
		sae_buf_done(&xml);
		return fail(&err);
	}
	rc = transfer_out_reply(db, d->store, d->schemas, &d->cfg, xml.data,
	    xml.len, NULL, "sae-admin", &sum, &err);
	sae_buf_done(&xml);
	if (rc == -1)
		return fail(&err);
	if (!strcmp(json_string_value(json_object_get(sum, "outcome")),
	    "purged"))
		printf("package %s accepted (%s): its units are purged; the "
		    "producer's ArchiveModificationNotification is %s\n",
		    json_string_value(json_object_get(sum, "package")),
		    json_string_value(json_object_get(sum, "reply_code")),
		    json_string_value(json_object_get(sum, "notification")));
	else
		printf("package %s refused (%s): its units are released\n",
		    json_string_value(json_object_get(sum, "package")),
		    json_string_value(json_object_get(sum, "reply_code")));
	json_decref(sum);
	return 0;
}

/* disposal propose: lists of what may be destroyed today. */
static int
cmd_disposal_propose(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	struct sae_err err;
	char today[11];
	json_t *ids;
	size_t i;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: sae-admin disposal propose\n");
		return 2;
	}
	ages_today(today);
	if (disposal_propose(db, &d->cfg, today, "sae-admin", &ids, &err) == -1)
		return fail(&err);
	if (json_array_size(ids) == 0)
		printf("no unit may be destroyed today: no list made\n");
	for (i = 0; i < json_array_size(ids); i++)
		printf("%s\n", json_string_value(json_array_get(ids, i)));
	json_decref(ids);
	return 0;
}

static int
cmd_disposal_list(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	struct sae_err err;
	json_t *a, *l;
	size_t i;

	(void)d;
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: sae-admin disposal list\n");
		return 2;
	}
	if (disposal_list(db, &a, &err) == -1)
		return fail(&err);
	printf("%-26s  %-9s  %-12s  %7s  %7s  %14s  %s\n", "ID", "STATE",
	    "AGENCY", "UNITS", "OBJECTS", "BYTES", "CREATED");
	json_array_foreach(a, i, l)
		printf("%-26s  %-9s  %-12s  %7lld  %7lld  %14lld  %s\n",
		    json_string_value(json_object_get(l, "id")),
		    json_string_value(json_object_get(l, "state")),
		    json_is_string(json_object_get(l, "agency")) ?
		    json_string_value(json_object_get(l, "agency")) : "-",
		    (long long)json_integer_value(json_object_get(l, "units")),
		    (long long)json_integer_value(json_object_get(l, "objects")),
		    (long long)json_integer_value(json_object_get(l, "bytes")),
		    json_string_value(json_object_get(l, "created")));
	json_decref(a);
	return 0;
}

/* disposal show ID [--html | --request | --notification]. */
static int
cmd_disposal_show(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	struct sae_buf out = SAE_BUF_INIT;
	struct sae_err err;
	json_t *o;
	char *text;
	int rc;

	if (argc == 2) {
		if (disposal_get(db, argv[1], &o, &err) == -1)
			return fail(&err);
		text = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		printf("%s\n", text);
		free(text);
		json_decref(o);
		return 0;
	}
	if (argc != 3 || (strcmp(argv[2], "--html") &&
	    strcmp(argv[2], "--request") && strcmp(argv[2], "--notification"))) {
		fprintf(stderr, "usage: sae-admin disposal show ID [--html | "
		    "--request | --notification]\n");
		return 2;
	}
	if (!strcmp(argv[2], "--html"))
		rc = disposal_bordereau(db, &d->cfg, argv[1], &out, &err);
	else
		rc = disposal_document(db, argv[1], !strcmp(argv[2],
		    "--request") ? DISPOSAL_REQUEST : DISPOSAL_NOTIFICATION,
		    &out, &err);
	if (rc == 0)
		fwrite(out.data, 1, out.len, stdout);
	sae_buf_done(&out);
	return rc == -1 ? fail(&err) : 0;
}

static int
cmd_disposal_approve(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "visa", required_argument, NULL, 'v' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "comment", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct disposal_decision dec;
	struct sae_err err;
	const char **ex;
	int c, rc;

	memset(&dec, 0, sizeof(dec));
	ex = sae_xcalloc((size_t)argc + 1, sizeof(*ex));
	optind = 1;
	while ((c = getopt_long(argc, argv, "v:x:c:", opts, NULL)) != -1)
		switch (c) {
		case 'v': dec.visa = optarg; break;
		case 'x': ex[dec.nexclude++] = optarg; break;
		case 'c': dec.comment = optarg; break;
		default: free(ex); return 2;
		}
	if (optind + 1 != argc || dec.visa == NULL) {
		fprintf(stderr, "usage: sae-admin disposal approve ID --visa REF "
		    "[--exclude UNIT]... [--comment TEXT]\n");
		free(ex);
		return 2;
	}
	dec.exclude = ex;
	rc = disposal_approve(db, &d->cfg, argv[optind], &dec, "sae-admin",
	    &err);
	free(ex);
	if (rc == -1)
		return fail(&err);
	printf("disposal list %s approved (visa %s, %zu unit(s) excluded); "
	    "saed carries it out when it is due\n", argv[optind], dec.visa,
	    dec.nexclude);
	return 0;
}

static int
cmd_disposal_reject(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	struct sae_err err;

	(void)d;
	if (argc != 4 || strcmp(argv[2], "--reason") != 0) {
		fprintf(stderr, "usage: sae-admin disposal reject ID --reason "
		    "TEXT\n");
		return 2;
	}
	if (disposal_reject(db, argv[1], argv[3], "sae-admin", &err) == -1)
		return fail(&err);
	printf("disposal list %s rejected\n", argv[1]);
	return 0;
}

static int
cmd_disposal_decide(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	struct sae_err err;

	(void)d;
	if (argc != 3 && !(argc == 5 && !strcmp(argv[3], "--comment"))) {
		fprintf(stderr, "usage: sae-admin disposal decide UNIT "
		    "keep|destroy [--comment TEXT]\n");
		return 2;
	}
	if (disposal_decide(db, argv[1], argv[2], argc == 5 ? argv[4] : NULL,
	    "sae-admin", &err) == -1)
		return fail(&err);
	printf("unit %s: %s\n", argv[1], !strcmp(argv[2], "keep") ?
	    "kept (definitive)" : "to destroy (next disposal list)");
	return 0;
}

static void
export_tty(void *arg, const struct export_progress *p)
{
	(void)arg;
	fprintf(stderr, "\rexport: %s, %zu/%zu packages, %.1f MiB   ", p->step,
	    p->packages_done, p->packages_total, (double)p->bytes / 1048576.0);
}

/* export (--all | --agency ID | --rule ID | --age AGE | --unit ID...) -o DIR */
static int
cmd_export(struct sae_daemon *d, sqlite3 *db, int argc, char **argv)
{
	struct export_selection sel;
	struct sae_buf prev = SAE_BUF_INIT;
	struct sae_err err;
	json_t *o, *summary = NULL;
	char id[SAE_ID_LEN + 1], path[PATH_MAX];
	const char *dir;
	int rc;

	if ((o = selection_args(argc, argv, "export", &dir)) == NULL)
		return 2;
	if (export_selection_from_json(o, &sel, &err) == -1) {
		json_decref(o);
		return fail(&err);
	}
	/* A directory holding an interrupted export: the same id resumes it. */
	sae_id_new(id);
	if (sae_path(path, sizeof(path), "%s/.sae-export-id", dir) == 0 &&
	    sae_fs_exists(path) && sae_fs_read(path, &prev, 64, &err) == 0 &&
	    prev.len == SAE_ID_LEN) {
		memcpy(id, prev.data, SAE_ID_LEN);
		fprintf(stderr, "resuming export %s in %s\n", id, dir);
	}
	sae_buf_done(&prev);
	if (daemon_attach_store(d, &err) == -1 || attach_tsa(d, &err) == -1) {
		free((void *)sel.units);
		json_decref(o);
		return fail(&err);
	}
	rc = export_run(db, d->store, d->tsa, &d->cfg, &sel, dir, id, "sae-admin",
	    isatty(STDERR_FILENO) ? export_tty : NULL, NULL, NULL, &summary,
	    &err);
	if (isatty(STDERR_FILENO))
		fputc('\n', stderr);
	free((void *)sel.units);
	json_decref(o);
	if (rc == -1)
		return fail(&err);
	printf("export %s: %lld unit(s) in %lld package(s), %lld bytes, in %s\n",
	    id, (long long)json_integer_value(json_object_get(summary, "units")),
	    (long long)json_integer_value(json_object_get(summary, "packages")),
	    (long long)json_integer_value(json_object_get(summary,
	    "payload_bytes")), dir);
	json_decref(summary);
	return 0;
}


static const struct cmd cmds[] = {
	{ "token", "create", cmd_token_create,
	  "token create --role ROLE --name NAME [--agency ID]" },
	{ "token", "list", cmd_token_list, "token list" },
	{ "token", "revoke", cmd_token_revoke, "token revoke NAME" },
	{ "rules", "import", cmd_rules_import, "rules import FILE.csv" },
	{ "rules", "list", cmd_rules_list, "rules list" },
	{ "rules", "show", cmd_rules_show, "rules show RULE" },
	{ "rules", "diff", cmd_rules_diff, "rules diff FILE.csv  (which units "
	  "would change age or DUA end)" },
	{ "journal", "verify", cmd_journal_verify, "journal verify" },
	{ "hold", "place", cmd_hold_place, "hold place UNIT --reason TEXT "
	  "[--reference REF] [--until YYYY-MM-DD]" },
	{ "hold", "lift", cmd_hold_lift, "hold lift HOLD --reason TEXT" },
	{ "hold", "list", cmd_hold_list, "hold list [UNIT]" },
	{ "status", NULL, cmd_status, "status" },
	{ "disposal", "propose", cmd_disposal_propose, "disposal propose" },
	{ "disposal", "list", cmd_disposal_list, "disposal list" },
	{ "disposal", "show", cmd_disposal_show, "disposal show ID [--html | "
	  "--request | --notification]" },
	{ "disposal", "approve", cmd_disposal_approve, "disposal approve ID "
	  "--visa REF [--exclude UNIT]... [--comment TEXT]" },
	{ "disposal", "reject", cmd_disposal_reject, "disposal reject ID "
	  "--reason TEXT" },
	{ "disposal", "decide", cmd_disposal_decide, "disposal decide UNIT "
	  "keep|destroy [--comment TEXT]" },
	{ "transfer", "create", cmd_transfer_create, "transfer create (--all | "
	  "--agency ID | --rule ID | --age AGE | --unit ID...) -o DIR" },
	{ "transfer", "reply", cmd_transfer_reply, "transfer reply "
	  "ARCHIVE-TRANSFER-REPLY.xml" },
	{ "export", NULL, cmd_export, "export (--all | --agency ID | --rule ID "
	  "| --age AGE | --unit ID...) -o DIR" },
	{ "audit", NULL, cmd_audit, "audit [--sample PERCENT] [--repair]" },
	{ "ages", NULL, cmd_ages, "ages                (recompute every unit's age now)" },
	{ "export-package", NULL, cmd_export_package, "export-package "
	  "TRANSFER-ID -o FILE.zip  (the transfer as a SEDA package)" },
	{ "proof", NULL, cmd_proof, "proof UNIT-ID -o FILE [--objects]  (the "
	  "unit's proof bundle, see sae-verify(1))" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: sae-admin --data DIR [--config FILE] COMMAND...\n\n"
	    "Commands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %s\n", cmds[i].help);
	fprintf(f, "\nSee sae-admin(8).\n");
}

int
main(int argc, char **argv)
{
	const char *data = NULL, *config = NULL;
	struct sae_daemon d;
	struct sae_err err;
	sqlite3 *db;
	size_t i, k;
	int ret;

	umask(077);
	/* libarchive converts entry names with the locale's charset: UTF-8,
	 * whatever the environment, so that names like « procès-verbal.pdf »
	 * are read and written as SEDA wants them.  Only LC_CTYPE: messages
	 * and numbers stay in the C locale. */
	setlocale(LC_CTYPE, "C.UTF-8");
	sae_log_open("sae-admin", LOG_WARNING, 0);
	/* Global options come before the command; parse them by hand so
	 * that the command's own options are left alone. */
	for (i = 1; i < (size_t)argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			printf("sae-admin %s\n", PACKAGE_VERSION);
			return 0;
		}
		if ((!strcmp(argv[i], "--data") || !strcmp(argv[i], "-d")) &&
		    i + 1 < (size_t)argc)
			data = argv[++i];
		else if ((!strcmp(argv[i], "--config") ||
		    !strcmp(argv[i], "-c")) && i + 1 < (size_t)argc)
			config = argv[++i];
		else {
			fprintf(stderr, "sae-admin: unknown option '%s'\n",
			    argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i + 1 > (size_t)argc) {
		usage(stderr);
		return 2;
	}
	if (data == NULL) {
		fprintf(stderr, "sae-admin: --data DIR is required\n");
		return 2;
	}
	/* A command is one word ("status") or two ("token create"). */
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
		if (!strcmp(argv[i], cmds[k].group) && (cmds[k].name == NULL ||
		    (i + 1 < (size_t)argc && !strcmp(argv[i + 1],
		    cmds[k].name))))
			break;
	if (k == sizeof(cmds) / sizeof(cmds[0])) {
		fprintf(stderr, "sae-admin: unknown command '%s%s%s'\n",
		    argv[i], i + 1 < (size_t)argc ? " " : "",
		    i + 1 < (size_t)argc ? argv[i + 1] : "");
		usage(stderr);
		return 2;
	}
	if (daemon_catalog_only(&d, data, config, &err) == -1)
		return fail(&err);
	if ((db = catalog_get(d.catalog, &err)) == NULL) {
		daemon_close(&d);
		return fail(&err);
	}
	if (cmds[k].name == NULL)
		ret = cmds[k].run(&d, db, argc - (int)i, argv + i);
	else
		ret = cmds[k].run(&d, db, argc - (int)i - 1, argv + i + 1);
	catalog_put(d.catalog, db);
	daemon_close(&d);
	return ret;
}

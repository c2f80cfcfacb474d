/*
 * test_seda_parse.c: seda_schemas_* (offline compilation, checksums,
 * install-schemas.sh), seda_parse on the real samples of ../shared and on
 * hand-written manifests (links, cycles, orphans, XXE, depth), seda_sniff.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "sae/buf.h"
#include "sae/err.h"
#include "sae/fsutil.h"
#include "seda/seda.h"
#include "tests/unit/helpers.h"

static struct seda_schemas *schemas;
static char *schema_dir;

static int
setup(void **state)
{
	struct sae_err err;

	(void)state;
	schema_dir = strdup(th_shared("seda/schemas"));
	if (seda_schemas_load(&schemas, schema_dir, &err) == -1) {
		fprintf(stderr, "# %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	seda_schemas_free(schemas);
	free(schema_dir);
	return 0;
}

/* Parses ${xml} with the real schemas; returns the transfer or NULL. */
static struct seda_transfer *
parse(const char *xml, size_t len, struct seda_report *r)
{
	struct seda_transfer *t = NULL;
	struct sae_err err;

	seda_report_init(r);
	assert_int_equal(seda_parse(&t, xml, len, schemas, NULL, r, &err), 0);
	return t;
}

static struct seda_transfer *
parse_sample(const char *name, struct seda_report *r)
{
	struct seda_transfer *t;
	struct sae_buf b = SAE_BUF_INIT;
	char rel[256];

	assert_int_equal(sae_path(rel, sizeof(rel), "seda/samples/%s", name),
	    0);
	assert_int_equal(th_unzip_member(th_shared(rel), "manifest.xml", &b),
	    0);
	t = parse(b.data, b.len, r);
	sae_buf_done(&b);
	return t;
}

/* Does some finding of ${r} have ${type} and a message containing ${s}? */
static int
has_finding(const struct seda_report *r, const char *type, const char *s)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->items[i].type, type) == 0 &&
		    strstr(r->items[i].message, s) != NULL)
			return 1;
	return 0;
}

static void
dump(const struct seda_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		printf("# %s %s: %s\n", seda_outcome_name(r->items[i].outcome),
		    r->items[i].type, r->items[i].message);
}

static const struct seda_unit *
unit(const struct seda_transfer *t, const char *id)
{
	size_t i;

	for (i = 0; i < t->nunits; i++)
		if (strcmp(t->units[i].id, id) == 0)
			return &t->units[i];
	fail_msg("no unit '%s'", id);
	return NULL;
}

static const struct seda_object *
object(const struct seda_transfer *t, const char *id)
{
	size_t i;

	for (i = 0; i < t->nobjects; i++)
		if (strcmp(t->objects[i].id, id) == 0)
			return &t->objects[i];
	fail_msg("no object '%s'", id);
	return NULL;
}

static int
has_parent(const struct seda_transfer *t, const char *child, const char *par)
{
	const struct seda_unit *u = unit(t, child);
	size_t i;

	for (i = 0; i < u->nparents; i++)
		if (strcmp(t->units[u->parents[i]].id, par) == 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ */

static void
test_seda_parse__schemas_checksums(void **state)
{
	struct sae_buf sums = SAE_BUF_INIT, x = SAE_BUF_INIT;
	struct sae_err err;
	char *tmp;

	(void)state;
	th_read(th_src("seda/schemas.sha256"), &sums);
	/* 8 files for each of the 3 versions. */
	{
		size_t n = 0;
		const char *p;

		for (p = sums.data; (p = strstr(p, "  2.")) != NULL; p++)
			n++;
		assert_int_equal(n, 24);
	}
	assert_int_equal(seda_schemas_check(schema_dir, sums.data, &err), 0);

	/* An altered copy is named. */
	tmp = strdup(th_tmpdir());
	sae_buf_printf(&x, "mkdir -p '%s/2.1' && cp '%s'/2.1/* '%s/2.1/' && "
	    "echo ' ' >> '%s/2.1/xlink.xsd'", tmp, schema_dir, tmp, tmp);
	assert_int_equal(system(x.data), 0);
	assert_int_equal(seda_schemas_check(tmp, sums.data, &err), -1);
	assert_int_equal(err.code, SAE_ECORRUPT);
	assert_non_null(strstr(err.msg, "2.1/xlink.xsd"));
	/* A missing one too (2.2 was not copied). */
	assert_int_equal(seda_schemas_check(tmp, "0000000000000000000000000"
	    "000000000000000000000000000000000000000  2.2/seda-2.2-main.xsd\n",
	    &err), -1);
	assert_int_equal(err.code, SAE_ENOTFOUND);
	assert_non_null(strstr(err.msg, "2.2/seda-2.2-main.xsd"));
	assert_int_equal(seda_schemas_check(tmp, "# nothing\n", &err), -1);
	free(tmp);
	sae_buf_done(&x);
	sae_buf_done(&sums);
}

/*
 * install-schemas.sh copies a checked set and writes catalogs; the copy,
 * without any catalog, still compiles (our own resolver).
 */
static void
test_seda_parse__install_and_no_catalog(void **state)
{
	struct sae_buf cmd = SAE_BUF_INIT, cat = SAE_BUF_INIT;
	struct seda_schemas *s = NULL;
	struct sae_err err;
	char *script, *sums, *dest, path[4096];

	(void)state;
	script = strdup(th_src("seda/install-schemas.sh"));
	sums = strdup(th_src("seda/schemas.sha256"));
	dest = strdup(th_tmpdir());
	sae_buf_printf(&cmd, "sh '%s' '%s' '%s/inst' '%s'", script, schema_dir,
	    dest, sums);
	assert_int_equal(system(cmd.data), 0);
	assert_int_equal(sae_path(path, sizeof(path), "%s/inst/2.3/catalog.xml",
	    dest), 0);
	th_read(path, &cat);
	assert_non_null(strstr(cat.data, "systemId=\"http://www.w3.org/2001/"
	    "xml.xsd\" uri=\"xml.xsd\""));
	assert_non_null(strstr(cat.data, "name=\"http://www.w3.org/1999/"
	    "xlink.xsd\" uri=\"xlink.xsd\""));

	sae_buf_reset(&cmd);
	sae_buf_printf(&cmd, "rm '%s'/inst/2.?/catalog.xml", dest);
	assert_int_equal(system(cmd.data), 0);
	assert_int_equal(sae_path(path, sizeof(path), "%s/inst", dest), 0);
	assert_int_equal(seda_schemas_load(&s, path, &err), 0);
	seda_schemas_free(s);

	/* An altered source: non-zero exit, nothing installed. */
	sae_buf_reset(&cmd);
	sae_buf_printf(&cmd, "echo x >> '%s/inst/2.2/xml.xsd' && sh '%s' "
	    "'%s/inst' '%s/again' '%s' 2>/dev/null", dest, script, dest, dest,
	    sums);
	assert_int_not_equal(system(cmd.data), 0);
	assert_int_equal(sae_path(path, sizeof(path), "%s/again", dest), 0);
	assert_int_equal(sae_fs_exists(path), 0);
	free(script);
	free(sums);
	free(dest);
	sae_buf_done(&cmd);
	sae_buf_done(&cat);
}

static void
test_seda_parse__schemas_missing(void **state)
{
	struct seda_schemas *s = (void *)1;
	struct sae_err err;

	(void)state;
	assert_int_equal(seda_schemas_load(&s, th_tmpdir(), &err), -1);
	assert_null(s);
	assert_int_equal(err.code, SAE_ENOTFOUND);
	assert_non_null(strstr(err.msg, "seda-2.1-main.xsd"));
}

/* What the manifest alone decides for each sample (samples/README.md). */
static const struct {
	const char	*file;
	int		 ko;
	const char	*why;		/* in the message when KO */
	enum seda_version version;
} samples[] = {
	{ "OK_SIP_2_GO.zip", 0, NULL, SEDA_V21 },
	{ "OK_SIP_2_GO.tar", 0, NULL, SEDA_V21 },
	{ "OK_RULES_COMPLEXE_COMPLETE.zip", 0, NULL, SEDA_V21 },
	{ "OK_EMPRT_SHA256_2.zip", 0, NULL, SEDA_V21 },
	{ "OK_ArchivesPhysiques.zip", 0, NULL, SEDA_V21 },
	{ "WARNING_SIP_mail_Seda2.2.zip", 0, NULL, SEDA_V22 },
	{ "OK_SEDA2.3_SigningInformation_BinairesMultiples.zip", 0, NULL,
	    SEDA_V23 },
	{ "OK_SIP_FULL_SEDA2.3.zip", 1, "schéma SEDA 2.3, ligne 341 : ",
	    SEDA_V23 },
	{ "KO_BORD_empreinte_KO.zip", 0, NULL, SEDA_V21 },
	{ "KO_BORD_xmlKO_sansobjet.zip", 1, "bien formé, ligne 29 : ",
	    SEDA_V21 },
	{ "KO_2216_CA2_non_conforme_SEDA.zip", 1, "Le manifeste n'est pas "
	    "valide selon le schéma SEDA 2.1, ligne 51 : ", SEDA_V21 },
	{ "KO_INVALID_URI.zip", 0, NULL, SEDA_V21 },
	{ "SIP_KO_PathTraversalInFileName.zip", 0, NULL, SEDA_V21 },
	{ "KO-RULES.zip", 0, NULL, SEDA_V21 },
};

static void
test_seda_parse__samples_outcomes(void **state)
{
	struct seda_transfer *t;
	struct seda_report r;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		t = parse_sample(samples[i].file, &r);
		if ((r.worst == SEDA_KO) != samples[i].ko) {
			dump(&r);
			fail_msg("%s: outcome %s", samples[i].file,
			    seda_outcome_name(r.worst));
		}
		if (samples[i].ko) {
			assert_null(t);
			if (!has_finding(&r, "CHECK_SEDA", samples[i].why)) {
				dump(&r);
				fail_msg("%s: no '%s'", samples[i].file,
				    samples[i].why);
			}
			assert_string_equal(r.items[0].detail, "101");
		} else {
			assert_non_null(t);
			assert_int_equal(t->version, samples[i].version);
			assert_int_equal(r.n, 0);
			assert_non_null(t->message_id);
			assert_non_null(t->archival_agency);
			/* Every object is in exactly one group. */
			for (k = 0; k < t->ngroups; k++)
				assert_true(t->groups[k].nobjects > 0);
		}
		seda_transfer_free(t);
		seda_report_done(&r);
	}
}

static void
test_seda_parse__ok_sip_2_go(void **state)
{
	const char *files[] = { "OK_SIP_2_GO.zip", "OK_SIP_2_GO.tar" };
	const struct seda_object *o;
	const struct seda_unit *u;
	struct seda_transfer *t;
	struct seda_report r;
	size_t f, i, roots = 0;

	(void)state;
	for (f = 0; f < 2; f++) {
		t = parse_sample(files[f], &r);
		assert_non_null(t);
		/* 13 ArchiveUnit elements, some only ArchiveUnitRefId. */
		assert_true(t->nunits > 0 && t->nunits < 13);
		assert_true(has_parent(t, "ID4", "ID3"));
		assert_int_equal(t->nobjects, 4);
		assert_int_equal(t->ngroups, 4);
		for (i = 0; i < t->nobjects; i++) {
			o = &t->objects[i];
			assert_string_equal(o->digest_alg, "SHA-512");
			assert_int_equal(strlen(o->digest_value), 128);
			assert_non_null(o->uri);
			assert_false(o->physical);
		}
		for (i = 0; i < t->nunits; i++)
			if (t->units[i].nparents == 0)
				roots++;
		assert_true(roots > 0 && roots < t->nunits);
		/* Units with objects point at groups holding them. */
		u = NULL;
		for (i = 0; i < t->nunits && u == NULL; i++)
			if (t->units[i].ngroups > 0)
				u = &t->units[i];
		assert_non_null(u);
		assert_true(t->groups[u->groups[0]].nobjects >= 1);
		assert_non_null(strstr(u->content_xml, "<Content"));
		assert_non_null(strstr(u->content_xml, "</Content>"));
		/* Standalone: it declares the SEDA namespace it inherits. */
		assert_non_null(strstr(u->content_xml, "<Content xmlns=\""
		    "fr:gouv:culture:archivesdefrance:seda:v2.1\""));
		{
			xmlDocPtr d = xmlReadMemory(u->content_xml,
			    (int)strlen(u->content_xml), NULL, NULL,
			    XML_PARSE_NONET);

			assert_non_null(d);
			assert_string_equal((const char *)
			    xmlDocGetRootElement(d)->ns->href,
			    "fr:gouv:culture:archivesdefrance:seda:v2.1");
			xmlFreeDoc(d);
		}
		seda_transfer_free(t);
		seda_report_done(&r);
		roots = 0;
	}
}

static void
test_seda_parse__rules_complexe(void **state)
{
	const struct seda_rules *rs;
	struct seda_transfer *t;
	struct seda_report r;
	size_t i, pi = 0, refnon = 0, classif = 0, storage_copy = 0;
	int c;

	(void)state;
	t = parse_sample("OK_RULES_COMPLEXE_COMPLETE.zip", &r);
	assert_non_null(t);
	assert_int_equal(t->nobjects, 4);
	for (i = 0; i < t->nunits; i++)
		for (c = 0; c < SEDA_NCATEGORIES; c++) {
			rs = &t->units[i].mgmt.cat[c];
			if (rs->prevent_inheritance)
				pi++;
			refnon += rs->nref_non_rule_ids;
			if (c == SEDA_CLASSIFICATION && rs->present &&
			    rs->classification_level != NULL &&
			    strcmp(rs->classification_level,
			    "Secret Défense") == 0)
				classif++;
			if (c == SEDA_STORAGE && rs->final_action != NULL &&
			    strcmp(rs->final_action, "Copy") == 0)
				storage_copy++;
			if (rs->nrules > 0)
				assert_true(t->units[i].has_management);
		}
	assert_true(pi > 0);
	assert_true(refnon > 0);
	assert_true(classif > 0);
	assert_true(storage_copy > 0);
	seda_transfer_free(t);
	seda_report_done(&r);
}

static void
test_seda_parse__mail_22_hold_rule(void **state)
{
	const struct seda_rules *hold = NULL;
	struct seda_transfer *t;
	struct seda_report r;
	size_t i;

	(void)state;
	t = parse_sample("WARNING_SIP_mail_Seda2.2.zip", &r);
	assert_non_null(t);
	assert_int_equal(t->version, SEDA_V22);
	assert_int_equal(t->nobjects, 1);
	assert_string_equal(t->objects[0].digest_alg, "MD5");
	assert_int_equal(strlen(t->objects[0].digest_value), 32);
	if (t->mgmt.cat[SEDA_HOLD].nrules > 0)
		hold = &t->mgmt.cat[SEDA_HOLD];
	for (i = 0; i < t->nunits && hold == NULL; i++)
		if (t->units[i].mgmt.cat[SEDA_HOLD].nrules > 0)
			hold = &t->units[i].mgmt.cat[SEDA_HOLD];
	assert_non_null(hold);
	assert_true(hold->present);
	assert_non_null(hold->rules[0].rule_id);
	assert_true(hold->rules[0].rule_id[0] != '\0');
	seda_transfer_free(t);
	seda_report_done(&r);
}

static void
test_seda_parse__physical(void **state)
{
	const struct seda_object *o = NULL;
	struct seda_transfer *t;
	struct seda_report r;
	size_t i;

	(void)state;
	t = parse_sample("OK_ArchivesPhysiques.zip", &r);
	assert_non_null(t);
	for (i = 0; i < t->nobjects; i++)
		if (t->objects[i].physical)
			o = &t->objects[i];
	assert_non_null(o);
	assert_null(o->uri);
	assert_null(o->digest_value);
	assert_non_null(o->physical_id);
	/* The binary and the physical master share one group. */
	assert_int_equal(t->ngroups, 1);
	assert_int_equal(t->groups[0].nobjects, 2);
	seda_transfer_free(t);
	seda_report_done(&r);
}

static void
test_seda_parse__minimal_each_version(void **state)
{
	static const char *names[] = { "2.1", "2.2", "2.3" };
	const struct seda_rules *app;
	struct sae_buf b = SAE_BUF_INIT;
	struct seda_transfer *t;
	struct seda_report r;
	char rel[128];
	int v;

	(void)state;
	for (v = 0; v < SEDA_NVERSIONS; v++) {
		assert_int_equal(sae_path(rel, sizeof(rel),
		    "tests/fuzz/corpus/seda_parse/"
		    "valid-minimal-%s.xml", names[v]), 0);
		sae_buf_reset(&b);
		th_read(th_src(rel), &b);
		t = parse(b.data, b.len, &r);
		dump(&r);
		assert_non_null(t);
		assert_int_equal(r.n, 0);
		assert_int_equal(t->version, v);
		assert_string_equal(t->archival_agreement, "CONV-1");
		assert_string_equal(t->originating_agency, "SV-1");
		assert_int_equal(t->nunits, 2);
		assert_string_equal(unit(t, "U1")->title,
		    "Délibérations & arrêtés");
		assert_string_equal(unit(t, "U1")->start_date, "2020-01-01");
		assert_true(has_parent(t, "U2", "U1"));
		assert_int_equal(unit(t, "U2")->ngroups, 1);
		assert_string_equal(t->groups[unit(t, "U2")->groups[0]].id,
		    "G1");
		assert_string_equal(object(t, "O1")->group_id, "G1");
		assert_int_equal(object(t, "O1")->size, 12);
		assert_string_equal(object(t, "O1")->format_id, "fmt/18");
		assert_string_equal(object(t, "O1")->filename, "acte.pdf");
		app = &unit(t, "U1")->mgmt.cat[SEDA_APPRAISAL];
		assert_int_equal(app->nrules, 1);
		assert_string_equal(app->rules[0].rule_id, "APP-1");
		assert_string_equal(app->rules[0].start_date, "2020-01-01");
		assert_string_equal(app->final_action, "Destroy");
		assert_false(unit(t, "U1")->mgmt.cat[SEDA_STORAGE].present);
		assert_non_null(strstr(unit(t, "U1")->management_xml,
		    "<Rule>ACC-1</Rule>"));
		seda_transfer_free(t);
		seda_report_done(&r);
	}
	sae_buf_done(&b);
}

/* Old-style groups, ArchiveUnitRefId cycle, dangling ref, orphan. */
static void
test_seda_parse__links(void **state)
{
	struct sae_buf b = SAE_BUF_INIT;
	struct seda_transfer *t;
	struct seda_report r;

	(void)state;
	th_read(th_src("tests/fuzz/corpus/seda_parse/unit-ref-cycle.xml"), &b);
	t = parse(b.data, b.len, &r);
	assert_non_null(t);
	assert_int_equal(r.worst, SEDA_KO);
	/* refA, refB, refZ are references, not units. */
	assert_int_equal(t->nunits, 2);
	assert_true(has_parent(t, "A", "B"));
	assert_true(has_parent(t, "B", "A"));
	assert_true(has_finding(&r, "CHECK_MANIFEST", "forment un cycle"));
	assert_true(has_finding(&r, "CHECK_MANIFEST", "l'unité 'Z'"));
	/* O1 declares G1, O2 joins it; O3 stands alone and nobody uses it. */
	assert_int_equal(t->ngroups, 2);
	assert_string_equal(object(t, "O2")->group_id, "G1");
	assert_int_equal(t->groups[unit(t, "A")->groups[0]].nobjects, 2);
	assert_true(object(t, "O3")->physical);
	assert_true(has_finding(&r, "CHECK_DATAOBJECTPACKAGE",
	    "L'objet 'O3' (ligne 17) n'est référencé par aucune unité "
	    "archivistique (objet orphelin)"));
	assert_false(has_finding(&r, "CHECK_DATAOBJECTPACKAGE", "'O1'"));
	assert_int_equal(seda_report_count(&r, SEDA_KO), 3);
	seda_transfer_free(t);
	seda_report_done(&r);
	sae_buf_done(&b);
}

static void
test_seda_parse__dangling_and_duplicate(void **state)
{
	static const char xml[] =
	    "<ArchiveTransfer xmlns='fr:gouv:culture:archivesdefrance:seda:"
	    "v2.1'><DataObjectPackage><BinaryDataObject id='O1'/>"
	    "<DataObjectGroup id='G9'/>"
	    "<DescriptiveMetadata><ArchiveUnit id='U1'><Content/>"
	    "<DataObjectReference><DataObjectReferenceId>NOPE"
	    "</DataObjectReferenceId></DataObjectReference>"
	    "<DataObjectReference><DataObjectReferenceId>O1"
	    "</DataObjectReferenceId></DataObjectReference></ArchiveUnit>"
	    "<ArchiveUnit id='U1'><Content/></ArchiveUnit>"
	    "</DescriptiveMetadata></DataObjectPackage></ArchiveTransfer>";
	struct seda_transfer *t = NULL;
	struct seda_report r;
	struct sae_err err;

	(void)state;
	/* Not XSD-valid: checked without schemas, as the fuzzer does. */
	seda_report_init(&r);
	assert_int_equal(seda_parse(&t, xml, sizeof(xml) - 1, NULL, NULL, &r,
	    &err), 0);
	assert_non_null(t);
	assert_true(has_finding(&r, "CHECK_DATAOBJECTPACKAGE", "l'objet "
	    "'NOPE'"));
	assert_true(has_finding(&r, "CHECK_MANIFEST", "'U1' est porté par "
	    "plusieurs"));
	assert_true(has_finding(&r, "CHECK_DATAOBJECTPACKAGE", "'G9' ne "
	    "contient aucun objet"));
	assert_false(has_finding(&r, "CHECK_DATAOBJECTPACKAGE", "orphelin"));
	assert_string_equal(t->units[0].title, "");
	seda_transfer_free(t);
	seda_report_done(&r);
}

static void
test_seda_parse__refused_quickly(void **state)
{
	static const char *files[] = { "doctype-xxe.xml",
	    "billion-laughs.xml", "deep-nesting.xml", "broken.xml",
	    "unknown-root.xml" };
	static const char *why[] = { "DOCTYPE", "DOCTYPE", "niveaux",
	    "bien formé", "'Foo' dans l'espace de noms 'urn:example:other'" };
	struct sae_buf b = SAE_BUF_INIT;
	struct seda_transfer *t;
	struct seda_report r;
	char rel[128];
	clock_t start;
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		assert_int_equal(sae_path(rel, sizeof(rel),
		    "tests/fuzz/corpus/seda_parse/%s",
		    files[i]), 0);
		sae_buf_reset(&b);
		th_read(th_src(rel), &b);
		start = clock();
		t = parse(b.data, b.len, &r);
		assert_true(clock() - start < CLOCKS_PER_SEC);
		assert_null(t);
		assert_int_equal(r.worst, SEDA_KO);
		assert_int_equal(r.n, 1);
		if (!has_finding(&r, "CHECK_SEDA", why[i])) {
			dump(&r);
			fail_msg("%s: no '%s'", files[i], why[i]);
		}
		/* The file of /etc/passwd never shows up. */
		assert_null(strstr(r.items[0].message, "root:"));
		seda_report_done(&r);
	}
	/* The same DOCTYPE hidden in UTF-16 is refused too. */
	{
		static const char u16[] =
		    "<\0!\0D\0O\0C\0T\0Y\0P\0E\0 \0a\0>\0";

		t = parse(u16, sizeof(u16) - 1, &r);
		assert_null(t);
		assert_true(has_finding(&r, "CHECK_SEDA", "DOCTYPE"));
		seda_report_done(&r);
	}
	sae_buf_done(&b);
}

static void
test_seda_parse__limits(void **state)
{
	struct seda_limits lim = { 8, 1, 0 };
	struct sae_buf b = SAE_BUF_INIT;
	struct seda_transfer *t = NULL;
	struct seda_report r;
	struct sae_err err;

	(void)state;
	th_read(th_src("tests/fuzz/corpus/seda_parse/valid-minimal-2.2.xml"),
	    &b);
	seda_report_init(&r);
	assert_int_equal(seda_parse(&t, b.data, b.len, schemas, &lim, &r,
	    &err), 0);
	assert_null(t);
	assert_true(has_finding(&r, "CHECK_MANIFEST", "plus de 1 unités"));
	seda_report_done(&r);
	lim.max_depth = 3;
	seda_report_init(&r);
	assert_int_equal(seda_parse(&t, b.data, b.len, schemas, &lim, &r,
	    &err), 0);
	assert_null(t);
	assert_true(has_finding(&r, "CHECK_SEDA", "au-delà de la limite de 3"));
	seda_report_done(&r);
	sae_buf_done(&b);
}

static void
test_seda_parse__sniff(void **state)
{
	static const char x[] = "<x:ArchiveTransfer xmlns:x='fr:gouv:"
	    "culture:archivesdefrance:seda:v2.3'><x:MessageRequestIdentifier>"
	    "no</x:MessageRequestIdentifier><x:MessageIdentifier> M-1 "
	    "</x:MessageIdentifier>";
	struct sae_buf b = SAE_BUF_INIT;
	enum seda_version v;
	char *id;

	(void)state;
	assert_int_equal(th_unzip_member(th_shared("seda/samples/"
	    "KO_BORD_xmlKO_sansobjet.zip"), "manifest.xml", &b), 0);
	seda_sniff(b.data, b.len, &v, &id);
	assert_int_equal(v, SEDA_V21);
	assert_non_null(id);
	assert_true(id[0] != '\0' && strchr(id, '<') == NULL);
	free(id);
	sae_buf_done(&b);
	seda_sniff(x, strlen(x), &v, &id);
	assert_int_equal(v, SEDA_V23);
	assert_string_equal(id, "M-1");
	free(id);
	seda_sniff("garbage", 7, &v, &id);
	assert_int_equal(v, SEDA_V21);
	assert_null(id);
}

struct job {
	const struct sae_buf	*ok, *ko;
	int			 wrong;
};

static void *
worker(void *arg)
{
	struct job *j = arg;
	struct seda_transfer *t;
	struct seda_report r;
	struct sae_err err;
	int i;

	for (i = 0; i < 4; i++) {
		seda_report_init(&r);
		t = NULL;
		if (seda_parse(&t, j->ok->data, j->ok->len, schemas, NULL, &r,
		    &err) != 0 || t == NULL || r.worst != SEDA_OK)
			j->wrong++;
		seda_transfer_free(t);
		seda_report_done(&r);
		seda_report_init(&r);
		t = NULL;
		if (seda_parse(&t, j->ko->data, j->ko->len, schemas, NULL, &r,
		    &err) != 0 || t != NULL || r.n != 1 ||
		    strstr(r.items[0].message, "ligne 51") == NULL)
			j->wrong++;
		seda_report_done(&r);
	}
	return NULL;
}

/* One compiled schema, several threads validating at once. */
static void
test_seda_parse__threads(void **state)
{
	struct sae_buf ok = SAE_BUF_INIT, ko = SAE_BUF_INIT;
	struct job jobs[4];
	pthread_t th[4];
	int i;

	(void)state;
	assert_int_equal(th_unzip_member(th_shared("seda/samples/"
	    "OK_SIP_2_GO.zip"), "manifest.xml", &ok), 0);
	assert_int_equal(th_unzip_member(th_shared("seda/samples/"
	    "KO_2216_CA2_non_conforme_SEDA.zip"), "manifest.xml", &ko), 0);
	for (i = 0; i < 4; i++) {
		jobs[i].ok = &ok;
		jobs[i].ko = &ko;
		jobs[i].wrong = 0;
		assert_int_equal(pthread_create(&th[i], NULL, worker, &jobs[i]),
		    0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(jobs[i].wrong, 0);
	}
	sae_buf_done(&ok);
	sae_buf_done(&ko);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seda_parse__schemas_checksums),
		cmocka_unit_test(test_seda_parse__install_and_no_catalog),
		cmocka_unit_test(test_seda_parse__schemas_missing),
		cmocka_unit_test(test_seda_parse__samples_outcomes),
		cmocka_unit_test(test_seda_parse__ok_sip_2_go),
		cmocka_unit_test(test_seda_parse__rules_complexe),
		cmocka_unit_test(test_seda_parse__mail_22_hold_rule),
		cmocka_unit_test(test_seda_parse__physical),
		cmocka_unit_test(test_seda_parse__minimal_each_version),
		cmocka_unit_test(test_seda_parse__links),
		cmocka_unit_test(test_seda_parse__dangling_and_duplicate),
		cmocka_unit_test(test_seda_parse__refused_quickly),
		cmocka_unit_test(test_seda_parse__limits),
		cmocka_unit_test(test_seda_parse__sniff),
		cmocka_unit_test(test_seda_parse__threads),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * test_seda_transfer_write.c: seda_transfer_write: a transfer with object
 * groups (explicit, lone, physical), nested and multi-parent units and
 * every rule category, written in the three versions, validated by
 * seda_validate against the real schemas of ../shared and read back by
 * seda_parse; LogBook placement in the unit's Management (with and
 * without one, with a LogBook already there); stored elements moved into
 * the package's namespace; escaping; refusals.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sae/buf.h"
#include "sae/err.h"
#include "seda/seda.h"
#include "tests/unit/helpers.h"

static struct seda_schemas *schemas;

static int
setup(void **state)
{
	struct sae_err err;

	(void)state;
	if (seda_schemas_load(&schemas, th_shared("seda/schemas"), &err) ==
	    -1) {
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
	return 0;
}

static void
assert_valid(enum seda_version v, const struct sae_buf *xml)
{
	struct seda_report r;
	struct sae_err err;
	size_t i;

	seda_report_init(&r);
	assert_int_equal(seda_validate(schemas, v, xml->data, xml->len, &r,
	    &err), 0);
	for (i = 0; i < r.n; i++)
		printf("# %s\n", r.items[i].message);
	if (r.worst != SEDA_OK)
		printf("# %s\n", xml->data);
	assert_int_equal(r.worst, SEDA_OK);
	seda_report_done(&r);
}

/* seda_parse of what we wrote: no finding above OK. */
static struct seda_transfer *
parse_back(const struct sae_buf *xml)
{
	struct seda_transfer *t = NULL;
	struct seda_report r;
	struct sae_err err;
	size_t i;

	seda_report_init(&r);
	assert_int_equal(seda_parse(&t, xml->data, xml->len, schemas, NULL,
	    &r, &err), 0);
	for (i = 0; i < r.n; i++)
		if (r.items[i].outcome != SEDA_OK)
			printf("# %s\n", r.items[i].message);
	assert_int_equal(r.worst, SEDA_OK);
	assert_non_null(t);
	seda_report_done(&r);
	return t;
}

static size_t
count(const char *s, const char *what)
{
	size_t n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s++;
	}
	return n;
}

/* Asserts that ${a} occurs in ${s}, and before ${b} when ${b} is given. */
static void
assert_before(const char *s, const char *a, const char *b)
{
	const char *pa = strstr(s, a), *pb = b ? strstr(s, b) : NULL;

	if (pa == NULL || (b != NULL && (pb == NULL || pb < pa)))
		printf("# '%s' then '%s' expected in:\n# %s\n", a, b ? b : "",
		    s);
	assert_non_null(pa);
	if (b != NULL) {
		assert_non_null(pb);
		assert_true(pa < pb);
	}
}

static const struct seda_unit *
unit_named(const struct seda_transfer *t, const char *id)
{
	size_t i;

	for (i = 0; i < t->nunits; i++)
		if (!strcmp(t->units[i].id, id))
			return &t->units[i];
	fail_msg("no unit '%s' read back", id);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* A transfer with a bit of everything.                               */

#define SHA512_A "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d3" \
	"6ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"

struct fx {
	enum seda_version	 v;
	char			 content[5][512];
	char			 mgmt_root[1024];
	char			 mgmt_multi[512];
	struct seda_out_object	 objs[3];
	struct seda_out_group	 groups[2];
	struct seda_out_unit	 units[5];
	size_t			 par_a[1], par_b[1], par_multi[2];
	size_t			 grp_a[1], grp_b[1];
	struct seda_out_event	 ev_root[2], ev_a[1], ev_multi[1];
	struct seda_out_event	 ev_pkg[1];
	struct seda_rule	 r_sto, r_app, r_cls, r_hold;
	char			*refs[1];
	struct seda_management	 mgmt;
	struct seda_out_transfer t;
};

static void
content(char *out, size_t size, enum seda_version v, const char *level,
    const char *title)
{
	snprintf(out, size, "<Content xmlns=\"%s\"><DescriptionLevel>%s"
	    "</DescriptionLevel><Title>%s</Title></Content>",
	    seda_version_ns(v), level, title);
}

static void
event(struct seda_out_event *e, const char *id, const char *type,
    const char *msg)
{
	memset(e, 0, sizeof(*e));
	e->identifier = id;
	e->type_code = type;
	e->date_time = "2024-05-02T10:00:00Z";
	e->outcome = "OK";
	e->message = msg;
	e->detail_data = "sha256:00ff";
	e->agent = "archiviste";
}

static void
fx_init(struct fx *f, enum seda_version v)
{
	memset(f, 0, sizeof(*f));
	f->v = v;
	content(f->content[0], sizeof(f->content[0]), v, "File", "Dossier");
	content(f->content[1], sizeof(f->content[1]), v, "Item", "Pièce A");
	content(f->content[2], sizeof(f->content[2]), v, "Item", "Pièce B");
	content(f->content[3], sizeof(f->content[3]), v, "Item",
	    "Pièce partagée");
	/* Stored from another version: moved into the package's. */
	content(f->content[4], sizeof(f->content[4]),
	    (enum seda_version)((v + 1) % SEDA_NVERSIONS), "File",
	    "Autre dossier");
	snprintf(f->mgmt_root, sizeof(f->mgmt_root), "<Management xmlns=\"%s\" "
	    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
	    "<AppraisalRule><Rule>APP-2</Rule><StartDate xsi:nil=\"true\"/>"
	    "<FinalAction>Keep</FinalAction></AppraisalRule>"
	    "<NeedAuthorization>true</NeedAuthorization>%s</Management>",
	    seda_version_ns(v), v == SEDA_V21 ? "" :
	    "<HoldRule><Rule>HOL-9</Rule></HoldRule>");
	snprintf(f->mgmt_multi, sizeof(f->mgmt_multi), "<Management "
	    "xmlns=\"%s\"><AccessRule><RefNonRuleId>ACC-1</RefNonRuleId>"
	    "</AccessRule></Management>", seda_version_ns(v));

	f->objs[0].xml_id = "BDO1";
	f->objs[0].version = "BinaryMaster_1";
	f->objs[0].uri = "content/a.pdf";
	f->objs[0].sha512 = SHA512_A;
	f->objs[0].size = 1234;
	f->objs[0].mime_type = "application/pdf";
	f->objs[0].format_id = "fmt/18";
	f->objs[0].format_litteral = "Acrobat PDF 1.4";
	f->objs[0].filename = "a.pdf";
	f->objs[1].xml_id = "PDO1";
	f->objs[1].physical = 1;
	f->objs[1].version = "PhysicalMaster_1";
	f->objs[1].physical_id = "BOITE-12";
	f->objs[2].xml_id = "BDO2";
	f->objs[2].uri = "content/vide.txt";
	f->objs[2].sha512 = SHA512_A;
	f->objs[2].size = 0;		/* empty: no Size */
	f->groups[0].xml_id = "GRP1";
	f->groups[0].objects = &f->objs[0];
	f->groups[0].nobjects = 2;
	f->groups[1].xml_id = "BDO2";
	f->groups[1].lone = 1;
	f->groups[1].objects = &f->objs[2];
	f->groups[1].nobjects = 1;

	event(&f->ev_root[0], "10", "UNIT_INGEST", "Unité archivée");
	event(&f->ev_root[1], "12", "HOLD_PLACE", "Gel posé");
	event(&f->ev_a[0], "11", "UNIT_INGEST", "Unité archivée");
	event(&f->ev_multi[0], "13", "AGE", "Âge : intermédiaire");
	event(&f->ev_pkg[0], "9", "INGEST", "Versement accepté (OK)");

	f->units[0].xml_id = "AU_root";
	f->units[0].content_xml = f->content[0];
	f->units[0].management_xml = f->mgmt_root;
	f->units[0].events = f->ev_root;
	f->units[0].nevents = 2;
	f->par_a[0] = 0;
	f->grp_a[0] = 0;
	f->units[1].xml_id = "AU_a";
	f->units[1].content_xml = f->content[1];
	f->units[1].parents = f->par_a;
	f->units[1].nparents = 1;
	f->units[1].groups = f->grp_a;
	f->units[1].ngroups = 1;
	f->units[1].events = f->ev_a;
	f->units[1].nevents = 1;
	f->par_b[0] = 0;
	f->grp_b[0] = 1;
	f->units[2].xml_id = "AU_b";
	f->units[2].content_xml = f->content[2];
	f->units[2].parents = f->par_b;
	f->units[2].nparents = 1;
	f->units[2].groups = f->grp_b;
	f->units[2].ngroups = 1;
	f->par_multi[0] = 1;
	f->par_multi[1] = 2;
	f->units[3].xml_id = "AU_multi";
	f->units[3].content_xml = f->content[3];
	f->units[3].management_xml = f->mgmt_multi;
	f->units[3].parents = f->par_multi;
	f->units[3].nparents = 2;
	f->units[3].events = f->ev_multi;
	f->units[3].nevents = 1;
	f->units[4].xml_id = "AU_root2";
	f->units[4].content_xml = f->content[4];

	f->r_sto.rule_id = "STO-1";
	f->r_sto.prevent_rearrangement = -1;
	f->mgmt.cat[SEDA_STORAGE].present = 1;
	f->mgmt.cat[SEDA_STORAGE].rules = &f->r_sto;
	f->mgmt.cat[SEDA_STORAGE].nrules = 1;
	f->mgmt.cat[SEDA_STORAGE].final_action = "Copy";
	f->r_app.rule_id = "APP-1";
	f->r_app.start_date = "2020-01-01";
	f->r_app.prevent_rearrangement = -1;
	f->mgmt.cat[SEDA_APPRAISAL].present = 1;
	f->mgmt.cat[SEDA_APPRAISAL].rules = &f->r_app;
	f->mgmt.cat[SEDA_APPRAISAL].nrules = 1;
	f->mgmt.cat[SEDA_APPRAISAL].final_action = "Destroy";
	f->mgmt.cat[SEDA_ACCESS].present = 1;
	f->mgmt.cat[SEDA_ACCESS].prevent_inheritance = 1;
	f->refs[0] = "REU-1";
	f->mgmt.cat[SEDA_REUSE].present = 1;
	f->mgmt.cat[SEDA_REUSE].ref_non_rule_ids = f->refs;
	f->mgmt.cat[SEDA_REUSE].nref_non_rule_ids = 1;
	f->r_cls.rule_id = "CLASS-1";
	f->r_cls.prevent_rearrangement = -1;
	f->mgmt.cat[SEDA_CLASSIFICATION].present = 1;
	f->mgmt.cat[SEDA_CLASSIFICATION].rules = &f->r_cls;
	f->mgmt.cat[SEDA_CLASSIFICATION].nrules = 1;
	f->mgmt.cat[SEDA_CLASSIFICATION].classification_level =
	    "Secret Défense";
	f->mgmt.cat[SEDA_CLASSIFICATION].classification_owner = "Ministère";
	if (v != SEDA_V21) {
		f->r_hold.rule_id = "HOL-1";
		f->r_hold.hold_end_date = "2030-01-01";
		f->r_hold.hold_reason = "Contentieux";
		f->r_hold.prevent_rearrangement = 1;
		f->mgmt.cat[SEDA_HOLD].present = 1;
		f->mgmt.cat[SEDA_HOLD].rules = &f->r_hold;
		f->mgmt.cat[SEDA_HOLD].nrules = 1;
	}
	f->mgmt.need_authorization = 0;

	f->t.version = v;
	f->t.comment = "Export de réversibilité";
	f->t.date = "2024-06-01T08:00:00Z";
	f->t.message_id = "VERS-2024-0001";
	f->t.archival_agreement = "CONV-1";
	f->t.groups = f->groups;
	f->t.ngroups = 2;
	f->t.units = f->units;
	f->t.nunits = 5;
	f->t.acquisition_information = "Versement";
	f->t.legal_status = "Public Archive";
	f->t.originating_agency = "AG-1";
	f->t.submission_agency = "AG-2";
	f->t.mgmt = &f->mgmt;
	f->t.events = f->ev_pkg;
	f->t.nevents = 1;
	f->t.archival_agency = "SAE";
	f->t.transferring_agency = "APP";
}

static void
test_seda_transfer_write__each_version(void **state)
{
	struct sae_buf out = SAE_BUF_INIT;
	const struct seda_unit *u, *a, *b;
	struct seda_transfer *t;
	struct sae_err err;
	struct fx f;
	int v;

	(void)state;
	for (v = 0; v < SEDA_NVERSIONS; v++) {
		fx_init(&f, v);
		sae_buf_reset(&out);
		assert_int_equal(seda_transfer_write(&out, &f.t, &err), 0);
		assert_valid(v, &out);
		/* One namespace, declared once: stored elements adopted it. */
		assert_int_equal(count(out.data, "archivesdefrance:seda:v"), 1);
		assert_non_null(strstr(out.data, seda_version_ns(v)));
		assert_before(out.data, "<Comment>", "<Date>");
		assert_before(out.data, "<ArchivalAgreement>",
		    "<CodeListVersions/>");
		assert_before(out.data, "<DataObjectGroup id=\"GRP1\">",
		    "<BinaryDataObject id=\"BDO2\">");
		assert_before(out.data, "<DescriptiveMetadata>",
		    "<ManagementMetadata>");
		assert_before(out.data, "<ManagementMetadata>",
		    "<ArchivalAgency>");
		assert_before(out.data, "<ArchivalAgency>",
		    "<TransferringAgency>");
		assert_non_null(strstr(out.data, "<MessageDigest algorithm=\""
		    "SHA-512\">" SHA512_A "</MessageDigest>"));
		assert_non_null(strstr(out.data, "<Size>1234</Size>"));
		assert_int_equal(count(out.data, "<Size>"), 1);
		assert_non_null(strstr(out.data, "<DataObjectReferenceId>BDO2"
		    "</DataObjectReferenceId>"));
		assert_non_null(strstr(out.data, "<ArchiveUnitRefId>AU_multi"
		    "</ArchiveUnitRefId>"));
		assert_int_equal(count(out.data, "<LogBook>"), 4);
		assert_int_equal(count(out.data, "<LinkingAgentIdentifier>"),
		    v == SEDA_V21 ? 0 : 5);

		t = parse_back(&out);
		assert_int_equal(t->version, v);
		assert_string_equal(t->message_id, "VERS-2024-0001");
		assert_string_equal(t->archival_agreement, "CONV-1");
		assert_string_equal(t->originating_agency, "AG-1");
		assert_string_equal(t->legal_status, "Public Archive");
		assert_int_equal(t->nunits, 5);
		assert_int_equal(t->nobjects, 3);
		assert_int_equal(t->ngroups, 2);
		/* The tree: AU_multi under both AU_a and AU_b. */
		u = unit_named(t, "AU_multi");
		a = unit_named(t, "AU_a");
		b = unit_named(t, "AU_b");
		assert_int_equal(u->nparents, 2);
		assert_ptr_equal(&t->units[u->parents[0]], a);
		assert_ptr_equal(&t->units[u->parents[1]], b);
		assert_int_equal(a->nparents, 1);
		assert_string_equal(t->units[a->parents[0]].id, "AU_root");
		assert_int_equal(unit_named(t, "AU_root2")->nparents, 0);
		assert_string_equal(unit_named(t, "AU_root2")->title,
		    "Autre dossier");
		assert_int_equal(a->ngroups, 1);
		assert_string_equal(t->groups[a->groups[0]].id, "GRP1");
		assert_int_equal(t->groups[a->groups[0]].nobjects, 2);
		assert_int_equal(b->ngroups, 1);
		assert_string_equal(t->groups[b->groups[0]].id, "BDO2");
		assert_int_equal(t->objects[t->groups[b->groups[0]].objects[0]]
		    .has_size, 0);
		/* The units' rules as they were, beside the LogBook. */
		u = unit_named(t, "AU_root");
		assert_int_equal(u->mgmt.need_authorization, 1);
		assert_string_equal(
		    u->mgmt.cat[SEDA_APPRAISAL].rules[0].rule_id, "APP-2");
		assert_null(u->mgmt.cat[SEDA_APPRAISAL].rules[0].start_date);
		assert_int_equal(u->mgmt.cat[SEDA_HOLD].present, v != SEDA_V21);
		u = unit_named(t, "AU_multi");
		assert_string_equal(
		    u->mgmt.cat[SEDA_ACCESS].ref_non_rule_ids[0], "ACC-1");
		/* The package's rules. */
		assert_string_equal(t->mgmt.cat[SEDA_STORAGE].final_action,
		    "Copy");
		assert_string_equal(
		    t->mgmt.cat[SEDA_APPRAISAL].rules[0].rule_id, "APP-1");
		assert_string_equal(t->mgmt.cat[SEDA_APPRAISAL].rules[0]
		    .start_date, "2020-01-01");
		assert_string_equal(t->mgmt.cat[SEDA_APPRAISAL].final_action,
		    "Destroy");
		assert_int_equal(t->mgmt.cat[SEDA_ACCESS].prevent_inheritance,
		    1);
		assert_string_equal(t->mgmt.cat[SEDA_REUSE].ref_non_rule_ids[0],
		    "REU-1");
		assert_string_equal(t->mgmt.cat[SEDA_CLASSIFICATION]
		    .classification_level, "Secret Défense");
		assert_int_equal(t->mgmt.need_authorization, 0);
		if (v != SEDA_V21) {
			const struct seda_rule *h =
			    &t->mgmt.cat[SEDA_HOLD].rules[0];

			assert_string_equal(h->rule_id, "HOL-1");
			assert_string_equal(h->hold_end_date, "2030-01-01");
			assert_string_equal(h->hold_reason, "Contentieux");
			assert_int_equal(h->prevent_rearrangement, 1);
		}
		seda_transfer_free(t);
	}
	sae_buf_done(&out);
}

/* The management_xml the parser gives back for unit ${id}. */
static char *
management_of(const struct sae_buf *xml, const char *id)
{
	struct seda_transfer *t = parse_back(xml);
	const char *m = unit_named(t, id)->management_xml;
	char *copy;

	assert_non_null(m);
	copy = strdup(m);
	seda_transfer_free(t);
	return copy;
}

static void
test_seda_transfer_write__logbook_placement(void **state)
{
	struct sae_buf out = SAE_BUF_INIT, again = SAE_BUF_INIT;
	struct sae_err err;
	struct fx f;
	char *m;
	int v;

	(void)state;
	for (v = 0; v < SEDA_NVERSIONS; v++) {
		fx_init(&f, v);
		sae_buf_reset(&out);
		assert_int_equal(seda_transfer_write(&out, &f.t, &err), 0);
		assert_valid(v, &out);
		/* After the rules, before NeedAuthorization and HoldRule. */
		m = management_of(&out, "AU_root");
		assert_before(m, "</AppraisalRule>", "<LogBook>");
		assert_before(m, "</LogBook>", "<NeedAuthorization>");
		if (v != SEDA_V21)
			assert_before(m, "<NeedAuthorization>", "<HoldRule>");
		assert_int_equal(count(m, "<Event>"), 2);
		assert_before(m, "<EventIdentifier>10</EventIdentifier>",
		    "<EventIdentifier>12</EventIdentifier>");
		assert_before(m, "<EventIdentifier>", "<EventTypeCode>");
		assert_before(m, "<EventTypeCode>", "<EventDateTime>");
		assert_before(m, "<EventDateTime>", "<Outcome>");
		assert_before(m, "<Outcome>", "<OutcomeDetailMessage>");
		assert_before(m, "<OutcomeDetailMessage>", "<EventDetailData>");
		assert_non_null(strstr(m, "xsi:nil=\"true\""));
		free(m);
		/* No Management: one is made, holding the LogBook. */
		m = management_of(&out, "AU_a");
		assert_int_equal(count(m, "<LogBook>"), 1);
		assert_int_equal(count(m, "<Event>"), 1);
		free(m);
		/* After a category with RefNonRuleId only. */
		m = management_of(&out, "AU_multi");
		assert_before(m, "</AccessRule>", "<LogBook>");
		free(m);

		/* Exported, ingested, exported again: one LogBook, events
		 * appended to those already there. */
		m = management_of(&out, "AU_root");
		f.units[0].management_xml = m;
		sae_buf_reset(&again);
		assert_int_equal(seda_transfer_write(&again, &f.t, &err), 0);
		assert_valid(v, &again);
		free(m);
		m = management_of(&again, "AU_root");
		assert_int_equal(count(m, "<LogBook>"), 1);
		assert_int_equal(count(m, "<Event>"), 4);
		assert_before(m, "</LogBook>", "<NeedAuthorization>");
		free(m);

		/* Only a HoldRule (after LogBook in ManagementGroup). */
		if (v != SEDA_V21) {
			char hold[256];

			snprintf(hold, sizeof(hold), "<Management xmlns=\"%s\">"
			    "<HoldRule><Rule>HOL-2</Rule></HoldRule>"
			    "</Management>", seda_version_ns(v));
			f.units[0].management_xml = hold;
			sae_buf_reset(&again);
			assert_int_equal(seda_transfer_write(&again, &f.t,
			    &err), 0);
			assert_valid(v, &again);
			m = management_of(&again, "AU_root");
			assert_before(m, "</LogBook>", "<HoldRule>");
			free(m);
		}
		/* No events, a Management: as it was. */
		fx_init(&f, v);
		f.units[3].nevents = 0;
		sae_buf_reset(&again);
		assert_int_equal(seda_transfer_write(&again, &f.t, &err), 0);
		assert_valid(v, &again);
		m = management_of(&again, "AU_multi");
		assert_null(strstr(m, "LogBook"));
		free(m);
	}
	sae_buf_done(&out);
	sae_buf_done(&again);
}

static void
test_seda_transfer_write__multi_parent(void **state)
{
	struct sae_buf out = SAE_BUF_INIT;
	struct seda_transfer *t;
	struct sae_err err;
	const struct seda_unit *u;
	size_t par_c[3] = { 2, 0, 1 }, i;
	struct fx f;

	(void)state;
	fx_init(&f, SEDA_V22);
	/* AU_multi under AU_b first, then AU_root and AU_a: nested under
	 * the first, ArchiveUnitRefId under the others. */
	f.units[3].parents = par_c;
	f.units[3].nparents = 3;
	assert_int_equal(seda_transfer_write(&out, &f.t, &err), 0);
	assert_valid(SEDA_V22, &out);
	assert_int_equal(count(out.data, "<ArchiveUnitRefId>"), 2);
	assert_non_null(strstr(out.data, "<ArchiveUnit id=\"sae-ref-1\">"));
	assert_non_null(strstr(out.data, "<ArchiveUnit id=\"sae-ref-2\">"));
	assert_before(out.data, "<ArchiveUnit id=\"AU_b\">",
	    "<ArchiveUnit id=\"AU_multi\">");
	t = parse_back(&out);
	u = unit_named(t, "AU_multi");
	/* The same parents: the nesting one first, then in document order. */
	assert_int_equal(u->nparents, 3);
	assert_string_equal(t->units[u->parents[0]].id, "AU_b");
	for (i = 1; i < 3; i++)
		assert_true(!strcmp(t->units[u->parents[i]].id, "AU_root") ||
		    !strcmp(t->units[u->parents[i]].id, "AU_a"));
	assert_string_not_equal(t->units[u->parents[1]].id,
	    t->units[u->parents[2]].id);
	seda_transfer_free(t);

	/* A wrapper's id never takes one already given. */
	f.units[4].xml_id = "sae-ref-1";
	sae_buf_reset(&out);
	assert_int_equal(seda_transfer_write(&out, &f.t, &err), 0);
	assert_valid(SEDA_V22, &out);
	assert_int_equal(count(out.data, "id=\"sae-ref-1\""), 1);
	sae_buf_done(&out);
}

static void
test_seda_transfer_write__escaping(void **state)
{
	struct sae_buf out = SAE_BUF_INIT;
	struct seda_transfer *t;
	struct sae_err err;
	const struct seda_object *o;
	struct fx f;
	char title[512];

	(void)state;
	fx_init(&f, SEDA_V21);
	f.t.comment = "a < b & c > d";
	f.t.archival_agreement = "CONV <1> & Cie";
	f.objs[0].filename = "<script>&amp; « été ».pdf";
	f.objs[0].uri = "content/a&b%20c.pdf";
	/* Bytes XML 1.0 cannot carry: a control and broken UTF-8. */
	f.ev_root[0].message = "nom\001bizarre\xff\xc3 <b>";
	content(title, sizeof(title), SEDA_V21, "Item",
	    "R&amp;D &lt;2024&gt; « été »");
	f.units[1].content_xml = title;
	assert_int_equal(seda_transfer_write(&out, &f.t, &err), 0);
	assert_valid(SEDA_V21, &out);
	assert_non_null(strstr(out.data, "<Comment>a &lt; b &amp; c &gt; d"
	    "</Comment>"));
	assert_non_null(strstr(out.data, "&lt;script&gt;&amp;amp; « été "
	    "».pdf"));
	assert_non_null(strstr(out.data, "nom?bizarre?? &lt;b&gt;"));
	t = parse_back(&out);
	assert_string_equal(t->archival_agreement, "CONV <1> & Cie");
	o = &t->objects[0];
	assert_string_equal(o->id, "BDO1");
	assert_string_equal(o->filename, "<script>&amp; « été ».pdf");
	assert_string_equal(o->uri, "content/a&b%20c.pdf");
	assert_string_equal(unit_named(t, "AU_a")->title,
	    "R&D <2024> « été »");
	seda_transfer_free(t);
	sae_buf_done(&out);
}

static void
test_seda_transfer_write__refusals(void **state)
{
	struct sae_buf out = SAE_BUF_INIT;
	struct sae_err err;
	size_t self[1] = { 3 }, loop[1] = { 3 };
	struct fx f;

	(void)state;
	sae_buf_adds(&out, "kept");
	/* A cycle of parents. */
	fx_init(&f, SEDA_V22);
	f.units[3].parents = self;
	f.units[3].nparents = 1;
	assert_int_equal(seda_transfer_write(&out, &f.t, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_non_null(strstr(err.msg, "AU_multi"));
	fx_init(&f, SEDA_V22);
	f.units[1].parents = loop;	/* AU_a under AU_multi under AU_a */
	assert_int_equal(seda_transfer_write(&out, &f.t, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	/* Ids: not an NCName, or given twice. */
	fx_init(&f, SEDA_V22);
	f.units[2].xml_id = "2 bad";
	assert_int_equal(seda_transfer_write(&out, &f.t, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	fx_init(&f, SEDA_V22);
	f.units[2].xml_id = "GRP1";
	assert_int_equal(seda_transfer_write(&out, &f.t, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	/* Mandatory values. */
	fx_init(&f, SEDA_V22);
	f.t.message_id = " ";
	assert_int_equal(seda_transfer_write(&out, &f.t, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	fx_init(&f, SEDA_V22);
	f.objs[0].sha512 = "abc";
	assert_int_equal(seda_transfer_write(&out, &f.t, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	fx_init(&f, SEDA_V22);
	f.mgmt.cat[SEDA_APPRAISAL].final_action = NULL;
	assert_int_equal(seda_transfer_write(&out, &f.t, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	fx_init(&f, SEDA_V21);
	f.mgmt.cat[SEDA_HOLD].present = 1;
	assert_int_equal(seda_transfer_write(&out, &f.t, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	fx_init(&f, SEDA_V22);
	f.units[2].groups = self;	/* out of range */
	assert_int_equal(seda_transfer_write(&out, &f.t, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	/* Stored elements that cannot be read back. */
	fx_init(&f, SEDA_V22);
	f.units[1].content_xml = "<Content><Title>x</Content>";
	assert_int_equal(seda_transfer_write(&out, &f.t, &err), -1);
	assert_int_equal(err.code, SAE_ECORRUPT);
	assert_non_null(strstr(err.msg, "AU_a"));
	fx_init(&f, SEDA_V22);
	f.units[1].content_xml = "<Content><Title>x</Title></Content>";
	assert_int_equal(seda_transfer_write(&out, &f.t, &err), -1);
	assert_int_equal(err.code, SAE_ECORRUPT);
	fx_init(&f, SEDA_V22);
	f.units[0].management_xml = f.content[0];	/* a Content */
	assert_int_equal(seda_transfer_write(&out, &f.t, &err), -1);
	assert_int_equal(err.code, SAE_ECORRUPT);
	fx_init(&f, SEDA_V22);
	f.units[0].management_xml = "<!DOCTYPE x [<!ENTITY e \"e\">]><x/>";
	assert_int_equal(seda_transfer_write(&out, &f.t, &err), -1);
	assert_int_equal(err.code, SAE_ECORRUPT);
	assert_string_equal(out.data, "kept");
	sae_buf_done(&out);
}

static void
test_seda_transfer_write__agency(void **state)
{
	struct sae_buf out = SAE_BUF_INIT;
	struct seda_reply rp;
	struct sae_err err;
	char *s;

	(void)state;
	memset(&rp, 0, sizeof(rp));
	rp.version = SEDA_V23;
	rp.message_id = "ATR-1";
	rp.request_id = "VERS-1";
	rp.date = "2024-05-02T10:00:05Z";
	rp.archival_agency = "SAE <Commune> & Co";
	rp.transferring_agency = "APP";
	assert_int_equal(seda_reply_write(&out, &rp, &err), 0);
	s = seda_transfer_write_agency(out.data, out.len, "ArchivalAgency");
	assert_string_equal(s, "SAE <Commune> & Co");
	free(s);
	s = seda_transfer_write_agency(out.data, out.len, "TransferringAgency");
	assert_string_equal(s, "APP");
	free(s);
	assert_null(seda_transfer_write_agency(out.data, out.len, "Nothing"));
	assert_null(seda_transfer_write_agency("<a", 2, "ArchivalAgency"));
	sae_buf_done(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seda_transfer_write__each_version),
		cmocka_unit_test(test_seda_transfer_write__logbook_placement),
		cmocka_unit_test(test_seda_transfer_write__multi_parent),
		cmocka_unit_test(test_seda_transfer_write__escaping),
		cmocka_unit_test(test_seda_transfer_write__refusals),
		cmocka_unit_test(test_seda_transfer_write__agency),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}

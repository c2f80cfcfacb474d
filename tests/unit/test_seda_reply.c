/*
 * test_seda_reply.c: seda_reply_write: OK, WARNING and KO replies in the
 * three versions, each validated by seda_validate against the real
 * schemas of ../shared; escaping, element order, units echoed with their
 * SystemId, refusal of an empty request id; the disposal messages
 * (AuthorizationControlAuthorityRequest, ArchiveDestructionNotification)
 * in the three versions.
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
reply_init(struct seda_reply *rp, enum seda_version v,
    const struct seda_report *r)
{
	memset(rp, 0, sizeof(*rp));
	rp->version = v;
	rp->message_id = "SAE-ATR-0001";
	rp->request_id = "VERS-2024-0001";
	rp->date = "2024-05-02T10:00:05Z";
	rp->grant_date = "2024-05-02T10:00:05Z";
	rp->archival_agreement = "CONV-MP-01";
	rp->archival_agency = "SAE_COMMUNE_X";
	rp->transferring_agency = "APP_MARCHES";
	rp->code_list_version = "SAE-REPLY-1";
	rp->report = r;
}

/* Fails the test unless ${xml} is valid against the ${v} schema. */
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

static void
test_seda_reply__outcomes_each_version(void **state)
{
	struct sae_buf out = SAE_BUF_INIT;
	struct seda_report r;
	struct seda_reply rp;
	struct sae_err err;
	int v, o;

	(void)state;
	for (v = 0; v < SEDA_NVERSIONS; v++)
		for (o = SEDA_OK; o <= SEDA_KO; o++) {
			seda_report_init(&r);
			seda_report_add(&r, SEDA_OK, "CHECK_SEDA", NULL,
			    "Le manifeste est valide selon le schéma SEDA %s",
			    seda_version_name(v));
			if (o >= SEDA_WARNING)
				seda_report_add(&r, SEDA_WARNING,
				    "CHECK_FORMAT", NULL, "Format de 'a.pdf' "
				    "non identifié");
			if (o == SEDA_KO)
				seda_report_add(&r, SEDA_KO, "CHECK_DIGEST",
				    "207", "Empreinte SHA-256 de 'content/"
				    "acte.pdf' différente de celle déclarée "
				    "(BDO1)");
			assert_int_equal(r.worst, o);
			reply_init(&rp, v, &r);
			sae_buf_reset(&out);
			assert_int_equal(seda_reply_write(&out, &rp, &err), 0);
			assert_valid(v, &out);
			assert_non_null(strstr(out.data, seda_version_ns(v)));
			assert_non_null(strstr(out.data, o == SEDA_OK ?
			    "<ReplyCode>OK</ReplyCode>" : o == SEDA_WARNING ?
			    "<ReplyCode>WARNING</ReplyCode>" :
			    "<ReplyCode>KO</ReplyCode>"));
			assert_int_equal(count(out.data, "<Event>"),
			    (size_t)o + 1);
			assert_int_equal(count(out.data, "<GrantDate>"),
			    o == SEDA_KO ? 0 : 1);
			assert_int_equal(count(out.data, "<OutcomeDetail>207"
			    "</OutcomeDetail>"), o == SEDA_KO ? 1 : 0);
			assert_non_null(strstr(out.data,
			    "<ReplyCodeListVersion>SAE-REPLY-1"
			    "</ReplyCodeListVersion>"));
			seda_report_done(&r);
		}
	sae_buf_done(&out);
}

static void
test_seda_reply__order(void **state)
{
	static const char *order[] = { "<Date>", "<MessageIdentifier>",
	    "<ArchivalAgreement>", "<CodeListVersions>", "<ReplyCode>",
	    "<Operation>", "<EventTypeCode>", "<EventDateTime>", "<Outcome>",
	    "<OutcomeDetail>", "<OutcomeDetailMessage>",
	    "<MessageRequestIdentifier>", "<ArchivalAgency>",
	    "<TransferringAgency>" };
	struct sae_buf out = SAE_BUF_INIT;
	struct seda_report r;
	struct seda_reply rp;
	struct sae_err err;
	const char *prev = NULL, *p;
	size_t i;

	(void)state;
	seda_report_init(&r);
	seda_report_add(&r, SEDA_KO, "CHECK_SEDA", "101", "Manifeste invalide");
	reply_init(&rp, SEDA_V22, &r);
	assert_int_equal(seda_reply_write(&out, &rp, &err), 0);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		p = strstr(out.data, order[i]);
		assert_non_null(p);
		if (prev != NULL)
			assert_true(p > prev);
		prev = p;
	}
	seda_report_done(&r);
	sae_buf_done(&out);
}

static void
test_seda_reply__escaping(void **state)
{
	struct sae_buf out = SAE_BUF_INIT;
	struct seda_report r;
	struct seda_reply rp;
	struct sae_err err;

	(void)state;
	seda_report_init(&r);
	seda_report_add(&r, SEDA_KO, "CHECK_URI", NULL, "Le fichier "
	    "'<script>&amp; « été ».pdf' est absent du paquet");
	/* Bytes XML 1.0 cannot carry: a control and broken UTF-8. */
	seda_report_add(&r, SEDA_KO, "CHECK_URI", NULL, "nom\001bizarre\xff"
	    "\xc3");
	reply_init(&rp, SEDA_V21, &r);
	rp.archival_agreement = "CONV <1> & Cie";
	assert_int_equal(seda_reply_write(&out, &rp, &err), 0);
	assert_valid(SEDA_V21, &out);
	assert_non_null(strstr(out.data, "'&lt;script&gt;&amp;amp; « été "
	    "».pdf'"));
	assert_non_null(strstr(out.data, "<ArchivalAgreement>CONV &lt;1&gt; "
	    "&amp; Cie</ArchivalAgreement>"));
	assert_non_null(strstr(out.data, "nom?bizarre??"));
	assert_null(strstr(out.data, "<script>"));
	seda_report_done(&r);
	sae_buf_done(&out);
}

static void
test_seda_reply__empty_request_id(void **state)
{
	static const char *bad[] = { "", "   ", NULL };
	struct sae_buf out = SAE_BUF_INIT;
	struct seda_report r;
	struct seda_reply rp;
	struct sae_err err;
	size_t i;

	(void)state;
	seda_report_init(&r);
	for (i = 0; i < 3; i++) {
		reply_init(&rp, SEDA_V22, &r);
		rp.request_id = bad[i];
		assert_int_equal(seda_reply_write(&out, &rp, &err), -1);
		assert_int_equal(err.code, SAE_EINVAL);
		assert_non_null(strstr(err.msg, "MessageRequestIdentifier"));
		assert_int_equal(out.len, 0);
	}
	reply_init(&rp, SEDA_V22, &r);
	rp.archival_agency = "";
	assert_int_equal(seda_reply_write(&out, &rp, &err), -1);
	assert_non_null(strstr(err.msg, "ArchivalAgency"));
	/* Optional parts may be missing and still give a valid reply. */
	reply_init(&rp, SEDA_V23, NULL);
	rp.archival_agreement = NULL;
	rp.code_list_version = NULL;
	rp.grant_date = NULL;
	assert_int_equal(seda_reply_write(&out, &rp, &err), 0);
	assert_valid(SEDA_V23, &out);
	assert_non_null(strstr(out.data, "<ReplyCode>OK</ReplyCode>"));
	sae_buf_done(&out);
}

static void
test_seda_reply__units_echoed(void **state)
{
	static const struct seda_reply_unit units[] = {
		{ "ID4", "aeaqaaaaaae2txtzaadjwaltyrxsyxiaaaaq" },
		{ "ID3", "aeaqaaaaaae2txtzaadjwaltyrxsyxaaaaaq" },
		{ "1notanid", "x" },			/* not an xsd:ID */
		{ "ID3", "aeaqaaaaaae2txtzaadjwaltyrxsy3iaaaba" }, /* again */
	};
	struct sae_buf out = SAE_BUF_INIT;
	struct seda_report r;
	struct seda_reply rp;
	struct sae_err err;
	int v;

	(void)state;
	for (v = 0; v < SEDA_NVERSIONS; v++) {
		seda_report_init(&r);
		seda_report_add(&r, SEDA_OK, "CHECK_SEDA", NULL, "Valide");
		reply_init(&rp, v, &r);
		rp.units = units;
		rp.nunits = 4;
		sae_buf_reset(&out);
		assert_int_equal(seda_reply_write(&out, &rp, &err), 0);
		assert_valid(v, &out);
		assert_int_equal(count(out.data, "<ArchiveUnit "), 2);
		assert_non_null(strstr(out.data, "<ArchiveUnit id=\"ID4\">"));
		assert_non_null(strstr(out.data, "<SystemId>aeaqaaaaaae2txtzaa"
		    "djwaltyrxsyxiaaaaq</SystemId>"));
		assert_null(strstr(out.data, "1notanid"));
		/* Nothing is echoed on KO. */
		seda_report_add(&r, SEDA_KO, "CHECK_DIGEST", "207", "KO");
		sae_buf_reset(&out);
		assert_int_equal(seda_reply_write(&out, &rp, &err), 0);
		assert_valid(v, &out);
		assert_null(strstr(out.data, "<DataObjectPackage"));
		seda_report_done(&r);
	}
	sae_buf_done(&out);
}

static void
disposal_init(struct seda_disposal_msg *m, enum seda_version v,
    const char *const *units, size_t n)
{
	memset(m, 0, sizeof(*m));
	m->version = v;
	m->message_id = "ACAR-01";
	m->date = "2031-03-01T09:00:00Z";
	m->comment = "Bordereau d'élimination <Mairie & CCAS>";
	m->archival_agency = "SAE_COMMUNE_X";
	m->units = units;
	m->nunits = n;
	m->control_authority = "AD-99";
	m->reason = "DUA échue, sort final : destruction";
	m->request_date = "2031-03-01";
	m->requester = "SAE_COMMUNE_X";
	m->reply_id = "VISA-2031-007";
	m->originating_agency = "MAIRIE-X";
}

static void
test_seda_disposal__messages_each_version(void **state)
{
	static const char *const units[] = { "01J0000000000000000000000A",
	    "01J0000000000000000000000B" };
	struct seda_disposal_msg m;
	enum seda_version v;
	struct sae_buf out = SAE_BUF_INIT;
	struct sae_err err;

	(void)state;
	for (v = SEDA_V21; v < SEDA_NVERSIONS; v++) {
		disposal_init(&m, v, units, 2);
		sae_buf_reset(&out);
		assert_int_equal(seda_authorization_request_write(&out, &m,
		    &err), 0);
		assert_valid(v, &out);
		assert_non_null(strstr(out.data,
		    "<AuthorizationControlAuthorityRequest"));
		assert_int_equal(count(out.data, "<UnitIdentifier>"), 2);
		assert_non_null(strstr(out.data, "&lt;Mairie &amp; CCAS&gt;"));
		assert_non_null(strstr(out.data,
		    "<ControlAuthority>\n    <Identifier>AD-99</Identifier>"));
		sae_buf_reset(&out);
		assert_int_equal(seda_destruction_notification_write(&out, &m,
		    &err), 0);
		assert_valid(v, &out);
		assert_non_null(strstr(out.data, "<AuthorizationRequestReply"
		    "Identifier>VISA-2031-007</AuthorizationRequestReply"
		    "Identifier>"));
		assert_int_equal(count(out.data, "<UnitIdentifier>"), 2);
	}
	sae_buf_done(&out);
}

static void
test_seda_disposal__refuses_empty_fields(void **state)
{
	static const char *const units[] = { "01J0000000000000000000000A" };
	struct seda_disposal_msg m;
	struct sae_buf out = SAE_BUF_INIT;
	struct sae_err err;

	(void)state;
	disposal_init(&m, SEDA_V22, units, 1);
	m.reply_id = " ";
	assert_int_equal(seda_destruction_notification_write(&out, &m, &err),
	    -1);
	assert_non_null(strstr(err.msg, "AuthorizationRequestReplyIdentifier"));
	disposal_init(&m, SEDA_V22, units, 0);
	assert_int_equal(seda_authorization_request_write(&out, &m, &err), -1);
	assert_non_null(strstr(err.msg, "without units"));
	assert_int_equal(out.len, 0);
	sae_buf_done(&out);
}

/* seda_validate really validates: a reply missing a part is KO. */
static void
test_seda_reply__validate_catches(void **state)
{
	static const char bad[] = "<ArchiveTransferReply xmlns='fr:gouv:"
	    "culture:archivesdefrance:seda:v2.2'>\n<Date>2024-05-02T10:00:05Z"
	    "</Date>\n<MessageIdentifier>A</MessageIdentifier>\n"
	    "<CodeListVersions/>\n<ReplyCode>KO</ReplyCode>\n"
	    "<MessageRequestIdentifier></MessageRequestIdentifier>\n"
	    "</ArchiveTransferReply>";
	struct seda_report r;
	struct sae_err err;

	(void)state;
	seda_report_init(&r);
	assert_int_equal(seda_validate(schemas, SEDA_V22, bad,
	    sizeof(bad) - 1, &r, &err), 0);
	assert_int_equal(r.worst, SEDA_KO);
	assert_string_equal(r.items[0].type, "CHECK_SEDA");
	assert_non_null(strstr(r.items[0].message, "schéma SEDA 2.2, ligne 6 "
	    ": "));
	seda_report_done(&r);
	seda_report_init(&r);
	assert_int_equal(seda_validate(schemas, SEDA_V22, "<a>", 3, &r, &err),
	    0);
	assert_int_equal(r.worst, SEDA_KO);
	assert_non_null(strstr(r.items[0].message, "bien formé"));
	seda_report_done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seda_reply__outcomes_each_version),
		cmocka_unit_test(test_seda_reply__order),
		cmocka_unit_test(test_seda_reply__escaping),
		cmocka_unit_test(test_seda_reply__empty_request_id),
		cmocka_unit_test(test_seda_reply__units_echoed),
		cmocka_unit_test(test_seda_reply__validate_catches),
		cmocka_unit_test(test_seda_disposal__messages_each_version),
		cmocka_unit_test(test_seda_disposal__refuses_empty_fields),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * seda_types.c: names of versions and rule categories, and the freeing of
 * the parsed structs of seda.h.  Touches only memory.
 */
#include "config.h"

#include <stdlib.h>

#include "seda/seda.h"

static const char *const version_names[SEDA_NVERSIONS] = {
	"2.1", "2.2", "2.3"
};

static const char *const version_ns[SEDA_NVERSIONS] = {
	"fr:gouv:culture:archivesdefrance:seda:v2.1",
	"fr:gouv:culture:archivesdefrance:seda:v2.2",
	"fr:gouv:culture:archivesdefrance:seda:v2.3"
};

static const char *const category_names[SEDA_NCATEGORIES] = {
	"StorageRule", "AppraisalRule", "AccessRule", "DisseminationRule",
	"ReuseRule", "ClassificationRule", "HoldRule"
};

const char *
seda_version_name(enum seda_version v)
{
	return (unsigned)v < SEDA_NVERSIONS ? version_names[v] : "?";
}

const char *
seda_version_ns(enum seda_version v)
{
	return (unsigned)v < SEDA_NVERSIONS ? version_ns[v] : "";
}

const char *
seda_category_name(enum seda_category c)
{
	return (unsigned)c < SEDA_NCATEGORIES ? category_names[c] : "?";
}

static void
rules_done(struct seda_rules *rs)
{
	size_t i;

	for (i = 0; i < rs->nrules; i++) {
		free(rs->rules[i].rule_id);
		free(rs->rules[i].start_date);
		free(rs->rules[i].hold_end_date);
		free(rs->rules[i].hold_owner);
		free(rs->rules[i].hold_reason);
		free(rs->rules[i].hold_reassessing_date);
	}
	free(rs->rules);
	for (i = 0; i < rs->nref_non_rule_ids; i++)
		free(rs->ref_non_rule_ids[i]);
	free(rs->ref_non_rule_ids);
	free(rs->final_action);
	free(rs->classification_level);
	free(rs->classification_owner);
}

static void
management_done(struct seda_management *m)
{
	int c;

	for (c = 0; c < SEDA_NCATEGORIES; c++)
		rules_done(&m->cat[c]);
}

void
seda_transfer_free(struct seda_transfer *t)
{
	size_t i;

	if (t == NULL)
		return;
	free(t->message_id);
	free(t->date);
	free(t->comment);
	free(t->archival_agreement);
	free(t->archival_agency);
	free(t->transferring_agency);
	free(t->originating_agency);
	free(t->submission_agency);
	free(t->legal_status);
	management_done(&t->mgmt);
	for (i = 0; i < t->nobjects; i++) {
		struct seda_object *o = &t->objects[i];

		free(o->id);
		free(o->group_id);
		free(o->version);
		free(o->uri);
		free(o->digest_alg);
		free(o->digest_value);
		free(o->mime_type);
		free(o->format_id);
		free(o->format_litteral);
		free(o->filename);
		free(o->physical_id);
	}
	free(t->objects);
	for (i = 0; i < t->ngroups; i++) {
		free(t->groups[i].id);
		free(t->groups[i].objects);
	}
	free(t->groups);
	for (i = 0; i < t->nunits; i++) {
		struct seda_unit *u = &t->units[i];

		free(u->id);
		free(u->title);
		free(u->description_level);
		free(u->start_date);
		free(u->end_date);
		free(u->originating_agency);
		free(u->system_id);
		free(u->content_xml);
		free(u->management_xml);
		management_done(&u->mgmt);
		free(u->parents);
		free(u->groups);
	}
	free(t->units);
	free(t);
}

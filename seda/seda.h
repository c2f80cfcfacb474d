/*
 * seda.h: the SEDA module: ArchiveTransfer manifests (2.1, 2.2, 2.3) parsed
 * into plain structs, validated offline against the official XSDs, and the
 * messages the archive sends back (ArchiveTransferReply).  libxml2 stays
 * inside this module: callers only see the structs below.
 *
 * Findings about a package are data, not errors: they go into a struct
 * seda_report, which becomes the Operation/Event list of the reply.
 * Functions return -1 only when they could not run at all.
 */
#ifndef SEDA_SEDA_H
#define SEDA_SEDA_H

#include <stddef.h>
#include <stdint.h>

#include "sae/buf.h"
#include "sae/err.h"

enum seda_version {
	SEDA_V21 = 0,
	SEDA_V22,
	SEDA_V23,
	SEDA_NVERSIONS
};

/** seda_version_name(v): "2.1", "2.2" or "2.3". */
const char	*seda_version_name(enum seda_version);
/** seda_version_ns(v): the namespace, "fr:gouv:culture:archivesdefrance:seda:v2.1"... */
const char	*seda_version_ns(enum seda_version);

/* ------------------------------------------------------------------ */
/* Findings: one per check, each becomes an Event of the reply.       */

enum seda_outcome {
	SEDA_OK = 0,
	SEDA_WARNING,
	SEDA_KO
};

struct seda_finding {
	enum seda_outcome	 outcome;
	char			*type;		/* EventTypeCode: CHECK_SEDA, CHECK_DIGEST... */
	char			*detail;	/* OutcomeDetail: "207", "CHECK_DIGEST.KO"... may be NULL */
	char			*message;	/* OutcomeDetailMessage, French, names the faulty object */
};

struct seda_report {
	struct seda_finding	*items;
	size_t			 n;
	size_t			 cap;
	enum seda_outcome	 worst;		/* OK until a WARNING or KO is added */
};

void	seda_report_init(struct seda_report *);
void	seda_report_done(struct seda_report *);
/**
 * seda_report_add(r, outcome, type, detail, fmt, ...): appends a finding;
 * ${detail} may be NULL.  Raises r->worst.
 */
void	seda_report_add(struct seda_report *, enum seda_outcome, const char *,
	    const char *, const char *, ...)
	    __attribute__((format(printf, 5, 6)));
/** seda_report_count(r, outcome): number of findings with that outcome. */
size_t	seda_report_count(const struct seda_report *, enum seda_outcome);
/** seda_outcome_name(o): "OK", "WARNING" or "KO". */
const char *seda_outcome_name(enum seda_outcome);

/* ------------------------------------------------------------------ */
/* Parsed ArchiveTransfer.                                            */

enum seda_category {
	SEDA_STORAGE = 0,	/* StorageRule: durée d'utilité courante */
	SEDA_APPRAISAL,		/* AppraisalRule: DUA */
	SEDA_ACCESS,
	SEDA_DISSEMINATION,
	SEDA_REUSE,
	SEDA_CLASSIFICATION,
	SEDA_HOLD,		/* 2.2 and later */
	SEDA_NCATEGORIES
};

/** seda_category_name(c): the element name, "AppraisalRule"... */
const char	*seda_category_name(enum seda_category);

struct seda_rule {
	char	*rule_id;		/* Rule */
	char	*start_date;		/* StartDate "YYYY-MM-DD", NULL if absent or nil */
	/* HoldRule only (NULL when absent): */
	char	*hold_end_date;
	char	*hold_owner;
	char	*hold_reason;
	char	*hold_reassessing_date;
	int	 prevent_rearrangement;	/* -1 absent, 0, 1 */
};

/* One rule category as declared in a ManagementGroup. */
struct seda_rules {
	int		  present;		/* the element appears */
	struct seda_rule *rules;
	size_t		  nrules;
	int		  prevent_inheritance;	/* 1 when PreventInheritance is true */
	char		**ref_non_rule_ids;
	size_t		  nref_non_rule_ids;
	char		 *final_action;		/* Storage/Appraisal FinalAction, else NULL */
	char		 *classification_level;	/* ClassificationRule only */
	char		 *classification_owner;
};

struct seda_management {
	struct seda_rules	 cat[SEDA_NCATEGORIES];
	int			 need_authorization;	/* -1 absent, 0, 1 */
};

struct seda_object {
	char		*id;			/* @id (XML ID) */
	char		*group_id;		/* DataObjectGroup/@id, or the 2.0-style DataObjectGroupId */
	int		 physical;		/* PhysicalDataObject: no file, no digest */
	char		*version;		/* DataObjectVersion, e.g. "BinaryMaster_1"; may be NULL */
	char		*uri;			/* Uri, as written; NULL for physical or Attachment */
	int		 attachment;		/* inline Attachment (refused: not supported) */
	char		*digest_alg;		/* MessageDigest/@algorithm as written */
	char		*digest_value;		/* MessageDigest text, trimmed */
	uint64_t	 size;			/* Size, when has_size */
	int		 has_size;
	char		*mime_type;		/* FormatIdentification/MimeType */
	char		*format_id;		/* FormatIdentification/FormatId (PRONOM) */
	char		*format_litteral;	/* FormatIdentification/FormatLitteral */
	char		*filename;		/* FileInfo/Filename */
	char		*physical_id;		/* PhysicalId */
	int		 line;			/* line in manifest.xml */
};

struct seda_group {
	char	*id;		/* XML id of the group */
	size_t	*objects;	/* indexes into transfer->objects */
	size_t	 nobjects;
};

struct seda_unit {
	char			*id;		/* @id of the ArchiveUnit element holding the Content */
	char			*title;		/* first Title (or "" when none) */
	char			*description_level;
	char			*start_date;	/* Content/StartDate: dates extrêmes, as written */
	char			*end_date;	/* Content/EndDate */
	char			*originating_agency;	/* Content/OriginatingAgency/Identifier */
	char			*system_id;		/* Content/SystemId, if the producer gave one */
	char			*content_xml;	/* the Content element serialized as received (UTF-8) */
	char			*management_xml;/* the Management element serialized, or NULL */
	int			 has_management;
	struct seda_management	 mgmt;
	/* Links, resolved by the parser (ArchiveUnitRefId included): */
	size_t			*parents;	/* indexes into transfer->units */
	size_t			 nparents;
	size_t			*groups;	/* indexes into transfer->groups */
	size_t			 ngroups;
	int			 line;
};

struct seda_transfer {
	enum seda_version	 version;
	char			*message_id;		/* MessageIdentifier */
	char			*date;			/* Date */
	char			*comment;		/* first Comment, may be NULL */
	char			*archival_agreement;	/* may be NULL */
	char			*archival_agency;	/* ArchivalAgency/Identifier */
	char			*transferring_agency;	/* TransferringAgency/Identifier */
	char			*originating_agency;	/* ManagementMetadata/OriginatingAgencyIdentifier */
	char			*submission_agency;	/* ManagementMetadata/SubmissionAgencyIdentifier */
	char			*legal_status;
	struct seda_management	 mgmt;			/* ManagementMetadata rules */
	struct seda_object	*objects;
	size_t			 nobjects;
	struct seda_group	*groups;	/* every object is in exactly one group */
	size_t			 ngroups;
	struct seda_unit	*units;		/* in document order; roots have nparents == 0 */
	size_t			 nunits;
};

/* Loaded official XSDs, one compiled schema per version. */
struct seda_schemas;

struct seda_limits {
	size_t	max_depth;	/* element nesting depth (default 64) */
	size_t	max_units;	/* ArchiveUnit elements (default 100000) */
	size_t	max_objects;	/* data objects (default 100000) */
};

/**
 * seda_schemas_load(out, dir, err): compiles the XSDs found in ${dir}/2.1,
 * ${dir}/2.2 and ${dir}/2.3 (seda-2.X-main.xsd plus the files it includes;
 * the W3C URLs of xml.xsd and xlink.xsd are mapped to ${dir}/2.X/xml.xsd
 * and xlink.xsd by our own resolver, no catalog needed, never the
 * network).  Fails naming the missing or unusable file.  The result is
 * read-only and may be shared by threads.
 */
int	seda_schemas_load(struct seda_schemas **, const char *, struct sae_err *);
void	seda_schemas_free(struct seda_schemas *);

/**
 * seda_schemas_check(dir, sums, err): checks every file listed in ${sums}
 * (the text of seda/schemas.sha256: "<sha256>  <relative path>" lines,
 * '#' comments) exists under ${dir} with that SHA-256.  Fails naming the
 * first missing or altered file.
 */
int	seda_schemas_check(const char *, const char *, struct sae_err *);

/**
 * seda_parse(out, xml, len, schemas, limits, report, err): reads an
 * ArchiveTransfer manifest.  Refuses (KO findings, *out left NULL) a
 * manifest that is not well-formed, has a DOCTYPE (no entity is ever
 * expanded or fetched), is nested deeper than limits->max_depth, has an
 * unknown root or namespace, or is invalid against the XSD of its version
 * (version chosen by the root namespace, never by xsi:schemaLocation;
 * ${schemas} NULL skips validation: for fuzzing only).  ${limits} NULL or
 * zero fields mean the defaults.
 * Then resolves links and adds KO findings for: dangling or duplicate ids,
 * ArchiveUnitRefId cycles, objects no unit references, groups with no
 * object.  *out is set whenever the manifest could be read into structs,
 * even with KO findings, so that the reply can name the transfer.
 * Returns 0 when it ran (look at report->worst), -1 on internal failure.
 */
int	seda_parse(struct seda_transfer **, const void *, size_t,
	    const struct seda_schemas *, const struct seda_limits *,
	    struct seda_report *, struct sae_err *);

void	seda_transfer_free(struct seda_transfer *);

/**
 * seda_sniff(xml, len, version, message_id): best effort for a manifest
 * that cannot be parsed: finds the SEDA version from the namespace text and
 * the MessageIdentifier text, so that a KO reply can still be addressed.
 * *version defaults to SEDA_V21; *message_id is NULL or a new string.
 */
void	seda_sniff(const void *, size_t, enum seda_version *, char **);

/* ------------------------------------------------------------------ */
/* Replies.                                                           */

struct seda_reply_unit {
	const char	*xml_id;	/* the producer's ArchiveUnit @id */
	const char	*system_id;	/* the id this archive gave it */
};

struct seda_reply {
	enum seda_version		 version;
	const char			*message_id;	/* our MessageIdentifier */
	const char			*request_id;	/* their MessageIdentifier (non-empty) */
	const char			*date;		/* xsd:dateTime, UTC */
	const char			*grant_date;	/* on OK/WARNING, else NULL */
	const char			*archival_agreement;	/* may be NULL */
	const char			*archival_agency;
	const char			*transferring_agency;
	const char			*code_list_version;	/* ReplyCodeListVersion value */
	const struct seda_report	*report;	/* ReplyCode = report->worst; one Event per finding */
	const struct seda_reply_unit	*units;		/* echoed with SystemId on OK/WARNING */
	size_t				 nunits;
};

/**
 * seda_reply_write(out, reply, err): appends an ArchiveTransferReply in
 * ${reply->version}, valid against the official XSD of that version, to
 * ${out}.  Text is escaped by libxml2.
 */
int	seda_reply_write(struct sae_buf *, const struct seda_reply *,
	    struct sae_err *);

/* The messages of the disposal process (SEDA 2.x main.xsd). */
struct seda_disposal_msg {
	enum seda_version	 version;
	const char		*message_id;	/* our MessageIdentifier */
	const char		*date;		/* xsd:dateTime */
	const char		*comment;	/* message Comment, or NULL */
	const char		*archival_agency;
	const char * const	*units;		/* UnitIdentifier+ */
	size_t			 nunits;
	/* AuthorizationControlAuthorityRequest */
	const char		*control_authority;
	const char		*reason;	/* AuthorizationReason */
	const char		*request_comment;	/* or NULL */
	const char		*request_date;	/* xsd:date */
	const char		*requester;	/* Requester/Identifier */
	/* ArchiveDestructionNotification */
	const char		*reply_id;	/* the visa: AuthorizationRequestReplyIdentifier */
	const char		*originating_agency;
};

/**
 * seda_authorization_request_write(out, m, err): appends an
 * AuthorizationControlAuthorityRequest for the units ${m->units}, valid
 * against the official XSD of ${m->version}.  SAE_EINVAL when a mandatory
 * field is empty.
 */
int	seda_authorization_request_write(struct sae_buf *,
	    const struct seda_disposal_msg *, struct sae_err *);

/**
 * seda_destruction_notification_write(out, m, err): appends an
 * ArchiveDestructionNotification, as above.
 */
int	seda_destruction_notification_write(struct sae_buf *,
	    const struct seda_disposal_msg *, struct sae_err *);

/**
 * seda_modification_notification_write(out, m, err): appends an
 * ArchiveModificationNotification (UnitIdentifier+, ArchivalAgency,
 * OriginatingAgency), as above: what a producer is told when its units
 * were transferred to another archive.
 */
int	seda_modification_notification_write(struct sae_buf *,
	    const struct seda_disposal_msg *, struct sae_err *);

/* What matters in an ArchiveTransferReply another archive sends back. */
struct seda_reply_read {
	enum seda_version	 version;
	char			*message_id;	/* theirs */
	char			*request_id;	/* MessageRequestIdentifier: ours */
	char			*reply_code;	/* OK, WARNING, KO... */
};

/**
 * seda_transfer_reply_read(schemas, xml, len, out, err): parses (no DTD,
 * no network) and validates an ArchiveTransferReply against the XSD of
 * its version; SAE_EINVAL naming what is wrong.  Free with
 * seda_reply_read_done.
 */
int	seda_transfer_reply_read(const struct seda_schemas *, const void *,
	    size_t, struct seda_reply_read *, struct sae_err *);
void	seda_reply_read_done(struct seda_reply_read *);

/**
 * seda_validate(schemas, version, xml, len, report, err): validates any
 * message of ${version} against the XSD; adds a KO finding (CHECK_SEDA)
 * with the first errors and their lines when invalid.  Used by tests and
 * for messages we write.
 */
int	seda_validate(const struct seda_schemas *, enum seda_version,
	    const void *, size_t, struct seda_report *, struct sae_err *);

/* ------------------------------------------------------------------ */
/* ArchiveTransfer writer (seda_transfer_write.c): a package made from */
/* what the archive holds, for reversibility and transfers out.        */

/* One Event of a LogBook: an entry of the archive's journal. */
struct seda_out_event {
	const char	*identifier;	/* EventIdentifier, or NULL */
	const char	*type_code;	/* EventTypeCode, or NULL */
	const char	*date_time;	/* EventDateTime (xsd:dateTime), required */
	const char	*outcome;	/* Outcome, or NULL */
	const char	*message;	/* OutcomeDetailMessage, or NULL */
	const char	*detail_data;	/* EventDetailData, or NULL */
	const char	*agent;		/* LinkingAgentIdentifier (2.2 and later), or NULL */
};

struct seda_out_object {
	const char	*xml_id;	/* @id */
	int		 physical;	/* PhysicalDataObject */
	const char	*version;	/* DataObjectVersion, or NULL */
	/* BinaryDataObject only: */
	const char	*uri;		/* Uri, required */
	const char	*sha512;	/* hex: MessageDigest algorithm="SHA-512", required */
	uint64_t	 size;		/* Size; 0 leaves it out (positiveInteger) */
	const char	*format_litteral;	/* FormatIdentification, each may be NULL */
	const char	*mime_type;
	const char	*format_id;
	const char	*filename;	/* FileInfo/Filename, or NULL */
	/* PhysicalDataObject only: */
	const char	*physical_id;	/* PhysicalId, or NULL */
};

struct seda_out_group {
	const char			*xml_id;	/* @id */
	/* A lone object of the producer's (no DataObjectGroup around it;
	 * its id is ${xml_id}): written as it came, and units refer to it
	 * with DataObjectReferenceId.  Exactly one object then. */
	int				 lone;
	const struct seda_out_object	*objects;
	size_t				 nobjects;
};

struct seda_out_unit {
	const char			*xml_id;	/* @id */
	const char			*content_xml;	/* the Content element, standalone XML */
	const char			*management_xml;/* the Management element, or NULL */
	/* Indexes into seda_out_transfer.units: the unit is nested under
	 * parents[0] and named by ArchiveUnitRefId under the others. */
	const size_t			*parents;
	size_t				 nparents;
	const size_t			*groups;	/* indexes into .groups */
	size_t				 ngroups;
	const struct seda_out_event	*events;	/* its LogBook */
	size_t				 nevents;
};

struct seda_out_transfer {
	enum seda_version		 version;
	const char			*comment;	/* Comment, or NULL */
	const char			*date;		/* Date (xsd:dateTime) */
	const char			*message_id;	/* MessageIdentifier */
	const char			*archival_agreement;	/* or NULL */
	const struct seda_out_group	*groups;
	size_t				 ngroups;
	const struct seda_out_unit	*units;
	size_t				 nunits;
	/* ManagementMetadata: */
	const char			*acquisition_information;	/* each may be NULL */
	const char			*legal_status;
	const char			*originating_agency;	/* OriginatingAgencyIdentifier */
	const char			*submission_agency;	/* SubmissionAgencyIdentifier */
	const struct seda_management	*mgmt;		/* its rules, or NULL */
	const struct seda_out_event	*events;	/* its LogBook: the package's history */
	size_t				 nevents;
	const char			*archival_agency;
	const char			*transferring_agency;
};

/**
 * seda_transfer_write(out, t, err): appends to ${out} an ArchiveTransfer
 * in ${t->version}, valid against the official XSD of that version, with
 * the libxml2 tree API (text escaped by the library).  Each unit's
 * Content and Management are re-read from their stored XML and written as
 * they are, moved into the package's namespace (any SEDA 2.x namespace
 * becomes the package's); the unit's events go into the LogBook of its
 * Management, after the rule categories and before NeedAuthorization,
 * HoldRule and the rest (into the LogBook already there if any; a
 * Management is created for them when there is none).  Units with no
 * parent are roots of DescriptiveMetadata.  Fails with
 * SAE_EINVAL on a missing mandatory value, an id that is not an NCName,
 * an index out of range or parents forming a cycle, SAE_ECORRUPT when a
 * stored Content or Management cannot be read back.  ${out} is left as
 * it was on failure.
 */
int	seda_transfer_write(struct sae_buf *, const struct seda_out_transfer *,
	    struct sae_err *);

/**
 * seda_transfer_write_agency(xml, len, element): the Identifier of the
 * ${element} ("ArchivalAgency", "TransferringAgency") of a SEDA message we
 * wrote (a stored reply, say), as a new string; NULL when it has none or
 * cannot be read.
 */
char	*seda_transfer_write_agency(const void *, size_t, const char *);
/* -------------------------------- end of the ArchiveTransfer writer */

#endif

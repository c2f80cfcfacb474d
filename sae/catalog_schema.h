/*
 * catalog_schema.h: the SQLite catalog, version 1.  Designed for the whole
 * product: tokens, the versioned DUA table, transfers with their replies
 * and time-stamps, the archive tree (a unit may have several parents),
 * object groups, objects and their stored copies, holds, disposal lists,
 * tombstones and the hash-chained journal with its seals.
 */
#ifndef SAE_CATALOG_SCHEMA_H
#define SAE_CATALOG_SCHEMA_H

#define CATALOG_SCHEMA_VERSION 1

static const char catalog_schema_v1[] =
"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
/* API tokens: only the SHA-256 of the secret is kept. */
"CREATE TABLE token (\n"
"  id INTEGER PRIMARY KEY,\n"
"  name TEXT NOT NULL UNIQUE,\n"
"  role TEXT NOT NULL CHECK (role IN ('producer','archivist','auditor','admin')),\n"
"  agency TEXT,\n"
"  hash BLOB NOT NULL UNIQUE,\n"
"  created TEXT NOT NULL,\n"
"  revoked TEXT\n"
");\n"
/* Every import of the DUA table, with its text, kept for ever. */
"CREATE TABLE rule_version (\n"
"  id INTEGER PRIMARY KEY,\n"
"  created TEXT NOT NULL,\n"
"  source TEXT NOT NULL,\n"
"  sha256 TEXT NOT NULL,\n"
"  agent TEXT NOT NULL,\n"
"  rules INTEGER NOT NULL,\n"
"  csv BLOB NOT NULL\n"
");\n"
/* The current DUA table. */
"CREATE TABLE rule (\n"
"  id TEXT PRIMARY KEY,\n"
"  type TEXT NOT NULL,\n"
"  value TEXT NOT NULL,\n"
"  description TEXT NOT NULL,\n"
"  duration INTEGER,\n"			/* NULL: none or unlimited */
"  unlimited INTEGER NOT NULL DEFAULT 0,\n"
"  measure TEXT,\n"
"  final_action TEXT,\n"
"  start_event TEXT,\n"
"  domain TEXT,\n"
"  current_duration INTEGER,\n"
"  current_measure TEXT,\n"
"  version INTEGER NOT NULL REFERENCES rule_version(id)\n"
");\n"
"CREATE TABLE transfer (\n"
"  id TEXT PRIMARY KEY,\n"
"  seq INTEGER NOT NULL UNIQUE,\n"
"  producer INTEGER NOT NULL REFERENCES token(id),\n"
"  agency TEXT,\n"
"  message_id TEXT,\n"
"  seda_version TEXT NOT NULL,\n"
"  package_sha256 TEXT NOT NULL,\n"
"  package_size INTEGER NOT NULL,\n"
"  status TEXT NOT NULL CHECK (status IN ('OK','WARNING','KO')),\n"
"  http_status INTEGER NOT NULL,\n"
"  received TEXT NOT NULL,\n"
"  reply BLOB NOT NULL,\n"
"  digest_list BLOB,\n"		/* what the token stamps */
"  tsr BLOB,\n"			/* RFC 3161 TimeStampResp over SHA-256(digest_list) */
"  archival_agreement TEXT,\n"
"  transferring_agency TEXT,\n"
"  units INTEGER NOT NULL DEFAULT 0,\n"
"  objects INTEGER NOT NULL DEFAULT 0,\n"
"  bytes INTEGER NOT NULL DEFAULT 0\n"
");\n"
"CREATE INDEX transfer_package ON transfer(producer, package_sha256);\n"
/* One accepted transfer per producer and MessageIdentifier. */
"CREATE UNIQUE INDEX transfer_accepted ON transfer(producer, message_id)\n"
"  WHERE status <> 'KO';\n"
"CREATE TABLE unit (\n"
"  seq INTEGER PRIMARY KEY,\n"
"  id TEXT NOT NULL UNIQUE,\n"
"  transfer TEXT NOT NULL REFERENCES transfer(id),\n"
"  xml_id TEXT NOT NULL,\n"
"  producer INTEGER NOT NULL REFERENCES token(id),\n"
"  agency TEXT,\n"
"  title TEXT NOT NULL,\n"
"  level TEXT,\n"
"  start_date TEXT,\n"		/* dates extrêmes */
"  end_date TEXT,\n"
"  content BLOB NOT NULL,\n"	/* Content as received */
"  management BLOB,\n"		/* Management as received */
"  rule TEXT,\n"			/* effective appraisal rule */
"  rule_start TEXT,\n"
"  rule_end TEXT,\n"
"  final_action TEXT,\n"
"  age TEXT NOT NULL DEFAULT 'current',\n"
"  current_end TEXT,\n"		/* end of the current-use period */
"  held INTEGER NOT NULL DEFAULT 0,\n"	/* a HoldRule of the package is active */
"  hold_end TEXT,\n"
"  state TEXT NOT NULL DEFAULT 'alive' CHECK (state IN ('alive','destroyed','transferred')),\n"
"  created TEXT NOT NULL\n"
");\n"
"CREATE INDEX unit_transfer ON unit(transfer);\n"
"CREATE INDEX unit_agency ON unit(agency, seq);\n"
"CREATE INDEX unit_producer ON unit(producer, seq);\n"
"CREATE INDEX unit_rule_end ON unit(age, rule_end);\n"
"CREATE INDEX unit_agency_end ON unit(agency, rule_end);\n"
"CREATE TABLE unit_parent (\n"
"  unit INTEGER NOT NULL REFERENCES unit(seq),\n"
"  parent INTEGER NOT NULL REFERENCES unit(seq),\n"
"  PRIMARY KEY (unit, parent)\n"
") WITHOUT ROWID;\n"
"CREATE INDEX unit_parent_parent ON unit_parent(parent);\n"
/* Rules as declared in the package (ManagementMetadata: unit NULL). */
"CREATE TABLE declared_rule (\n"
"  transfer TEXT NOT NULL REFERENCES transfer(id),\n"
"  unit INTEGER REFERENCES unit(seq),\n"
"  category TEXT NOT NULL,\n"
"  rule TEXT,\n"
"  start_date TEXT,\n"
"  prevent_inheritance INTEGER NOT NULL DEFAULT 0,\n"
"  ref_non_rule TEXT,\n"
"  final_action TEXT,\n"
"  extra TEXT\n"			/* JSON: HoldRule and classification fields */
");\n"
"CREATE INDEX declared_rule_unit ON declared_rule(unit);\n"
"CREATE INDEX declared_rule_transfer ON declared_rule(transfer);\n"
"CREATE TABLE object_group (\n"
"  seq INTEGER PRIMARY KEY,\n"
"  transfer TEXT NOT NULL REFERENCES transfer(id),\n"
"  xml_id TEXT NOT NULL\n"
");\n"
"CREATE TABLE unit_group (\n"
"  unit INTEGER NOT NULL REFERENCES unit(seq),\n"
"  grp INTEGER NOT NULL REFERENCES object_group(seq),\n"
"  PRIMARY KEY (unit, grp)\n"
") WITHOUT ROWID;\n"
"CREATE INDEX unit_group_grp ON unit_group(grp);\n"
"CREATE TABLE object (\n"
"  seq INTEGER PRIMARY KEY,\n"
"  id TEXT NOT NULL UNIQUE,\n"
"  transfer TEXT NOT NULL REFERENCES transfer(id),\n"
"  grp INTEGER NOT NULL REFERENCES object_group(seq),\n"
"  xml_id TEXT NOT NULL,\n"
"  version TEXT,\n"
"  physical INTEGER NOT NULL DEFAULT 0,\n"
"  uri TEXT,\n"
"  filename TEXT,\n"
"  size INTEGER,\n"
"  sha256 TEXT,\n"			/* hex, of the original bytes */
"  sha512 TEXT,\n"
"  declared_algorithm TEXT,\n"
"  declared_digest TEXT,\n"
"  declared_mime TEXT,\n"
"  declared_puid TEXT,\n"
"  declared_format TEXT,\n"
"  mime TEXT,\n"			/* identified by libmagic */
"  puid TEXT,\n"
"  format TEXT,\n"
"  physical_id TEXT\n"
");\n"
"CREATE INDEX object_grp ON object(grp);\n"
"CREATE INDEX object_sha256 ON object(sha256);\n"
"CREATE INDEX object_transfer ON object(transfer);\n"	/* placement after ingest */
/* Stored copies: one row per object content and offer. */
"CREATE TABLE copy (\n"
"  sha256 TEXT NOT NULL,\n"
"  offer TEXT NOT NULL,\n"
"  size INTEGER NOT NULL,\n"
"  created TEXT NOT NULL,\n"
"  verified TEXT,\n"
"  PRIMARY KEY (sha256, offer)\n"
") WITHOUT ROWID;\n"
"CREATE TABLE hold (\n"
"  id TEXT PRIMARY KEY,\n"
"  unit INTEGER NOT NULL REFERENCES unit(seq),\n"
"  reason TEXT NOT NULL,\n"
"  reference TEXT,\n"
"  until TEXT,\n"
"  source TEXT NOT NULL,\n"		/* 'archivist' or 'package' */
"  placed_by TEXT NOT NULL,\n"
"  placed TEXT NOT NULL,\n"
"  lifted_by TEXT,\n"
"  lifted TEXT,\n"
"  lift_reason TEXT\n"
");\n"
"CREATE INDEX hold_unit ON hold(unit);\n"
/* The tamper-evident journal: each hash covers the previous one. */
"CREATE TABLE journal (\n"
"  seq INTEGER PRIMARY KEY,\n"
"  ts TEXT NOT NULL,\n"
"  type TEXT NOT NULL,\n"
"  outcome TEXT NOT NULL,\n"
"  agent TEXT NOT NULL,\n"
"  transfer TEXT,\n"
"  unit TEXT,\n"
"  object TEXT,\n"
"  message TEXT NOT NULL,\n"
"  detail TEXT NOT NULL,\n"		/* JSON object: digests, ids, counts */
"  prev TEXT NOT NULL,\n"
"  hash TEXT NOT NULL\n"
");\n"
"CREATE INDEX journal_unit ON journal(unit);\n"
/* Most entries (changes of age, tokens, rules) have no transfer: they stay
 * out of the index, which serves transfer = ? all the same. */
"CREATE INDEX journal_transfer ON journal(transfer)\n"
"  WHERE transfer IS NOT NULL;\n"
"CREATE TABLE seal (\n"
"  seq INTEGER PRIMARY KEY,\n"
"  first INTEGER NOT NULL,\n"
"  last INTEGER NOT NULL,\n"
"  root TEXT NOT NULL,\n"
"  tsr BLOB NOT NULL,\n"
"  created TEXT NOT NULL\n"
");\n"
/* An archivist's decision on a unit whose final action is Sort (or in
 * conflict): keep makes it definitive, destroy sends it to disposal. */
"CREATE TABLE decision (\n"
"  unit INTEGER PRIMARY KEY REFERENCES unit(seq),\n"
"  decision TEXT NOT NULL CHECK (decision IN ('keep','destroy')),\n"
"  comment TEXT,\n"
"  decided_by TEXT NOT NULL,\n"
"  decided TEXT NOT NULL\n"
");\n"
/* Disposal lists (bordereaux d'élimination), kept for ever. */
"CREATE TABLE disposal (\n"
"  seq INTEGER PRIMARY KEY,\n"
"  id TEXT NOT NULL UNIQUE,\n"
"  agency TEXT,\n"
"  state TEXT NOT NULL CHECK (state IN ('proposed','approved','rejected',"
"'executing','executed')),\n"
"  evaluated TEXT NOT NULL,\n"		/* the date eligibility was judged at */
"  created TEXT NOT NULL,\n"
"  created_by TEXT NOT NULL,\n"
"  seda_version TEXT NOT NULL,\n"
"  request BLOB NOT NULL,\n"		/* AuthorizationControlAuthorityRequest */
"  decided TEXT,\n"
"  decided_by TEXT,\n"
"  visa TEXT,\n"
"  comment TEXT,\n"
"  reason TEXT,\n"			/* of a rejection */
"  due TEXT,\n"			/* when an approved list is carried out */
"  executed TEXT,\n"
"  notification BLOB,\n"		/* ArchiveDestructionNotification */
"  notification_tsr BLOB\n"		/* RFC 3161 over its SHA-256 */
");\n"
/* A line of a list: what the bordereau showed, frozen when made. */
"CREATE TABLE disposal_line (\n"
"  disposal INTEGER NOT NULL REFERENCES disposal(seq),\n"
"  unit INTEGER NOT NULL REFERENCES unit(seq),\n"
"  title TEXT NOT NULL,\n"
"  start_date TEXT,\n"
"  end_date TEXT,\n"
"  rule TEXT,\n"
"  rule_label TEXT,\n"
"  rule_duration TEXT,\n"
"  rule_start TEXT,\n"
"  rule_end TEXT,\n"
"  final_action TEXT,\n"
"  objects INTEGER NOT NULL,\n"
"  bytes INTEGER NOT NULL,\n"
"  hold_check TEXT NOT NULL,\n"
"  excluded INTEGER NOT NULL DEFAULT 0,\n"
"  outcome TEXT CHECK (outcome IN ('destroyed','kept')),\n"
"  outcome_reason TEXT,\n"
"  PRIMARY KEY (disposal, unit)\n"
") WITHOUT ROWID;\n"
"CREATE INDEX disposal_line_unit ON disposal_line(unit);\n"
/* Transfers to another archive: the packages we made, their replies. */
"CREATE TABLE outgoing (\n"
"  seq INTEGER PRIMARY KEY,\n"
"  id TEXT NOT NULL UNIQUE,\n"
"  state TEXT NOT NULL CHECK (state IN ('preparing','pending','done')),\n"
"  selection TEXT NOT NULL,\n"
"  directory TEXT NOT NULL,\n"
"  created TEXT NOT NULL,\n"
"  created_by TEXT NOT NULL\n"
");\n"
"CREATE TABLE outgoing_package (\n"
"  outgoing INTEGER NOT NULL REFERENCES outgoing(seq),\n"
"  transfer TEXT NOT NULL REFERENCES transfer(id),\n"
"  message_id TEXT NOT NULL UNIQUE,\n"	/* of the package we sent */
"  state TEXT NOT NULL CHECK (state IN ('pending','accepted','rejected')),\n"
"  reply_id TEXT,\n"
"  reply_code TEXT,\n"
"  replied TEXT,\n"
"  reply BLOB,\n"
"  notification BLOB,\n"		/* ArchiveModificationNotification */
"  PRIMARY KEY (outgoing, transfer)\n"
") WITHOUT ROWID;\n"
/* Units in a transfer not answered yet: refused by another transfer and
 * by disposal; the row goes when the reply comes. */
"CREATE TABLE outgoing_unit (\n"
"  unit INTEGER PRIMARY KEY REFERENCES unit(seq),\n"
"  outgoing INTEGER NOT NULL REFERENCES outgoing(seq),\n"
"  transfer TEXT NOT NULL\n"
");\n"
/* What remains of a unit that left (destroyed or transferred). */
"CREATE TABLE tombstone (\n"
"  unit INTEGER PRIMARY KEY REFERENCES unit(seq),\n"
"  disposal INTEGER REFERENCES disposal(seq),\n"	/* destroyed, or */
"  outgoing INTEGER REFERENCES outgoing(seq),\n"	/* transferred */
"  visa TEXT,\n"			/* the visa, or the other archive's reply id */
"  destroyed TEXT NOT NULL,\n"	/* when it left */
"  objects TEXT NOT NULL\n"		/* JSON: id, sha256, size, detached */
");\n"
/* Copies of destroyed units still to delete from their offers: the unit
 * is gone first, its bytes after, so that nothing shows alive with some
 * copies missing and a crash only leaves work to finish. */
"CREATE TABLE doomed_copy (\n"
"  sha256 TEXT NOT NULL,\n"
"  offer TEXT NOT NULL,\n"
"  disposal INTEGER REFERENCES disposal(seq),\n"	/* NULL: a transfer out */
"  unit TEXT NOT NULL,\n"
"  PRIMARY KEY (sha256, offer)\n"
") WITHOUT ROWID;\n"
/* Web interface sessions: only the SHA-256 of the cookie is kept. */
"CREATE TABLE ui_session (\n"
"  hash TEXT PRIMARY KEY,\n"
"  token INTEGER NOT NULL REFERENCES token(id),\n"
"  csrf TEXT NOT NULL,\n"		/* hex key of the forms' HMAC */
"  created TEXT NOT NULL,\n"
"  expires TEXT NOT NULL\n"
");\n";

#endif

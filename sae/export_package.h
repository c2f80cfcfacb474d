/*
 * export_package.h: one transfer as it is held now, written back as a SEDA
 * ArchiveTransfer package (a zip): the building block of reversibility
 * exports.  Ingested into another instance, it gives the same units, the
 * same objects and the same rules.
 */
#ifndef SAE_EXPORT_PACKAGE_H
#define SAE_EXPORT_PACKAGE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "sae/err.h"

struct store;

struct export_package_stats {
	size_t		units;		/* alive units in the package */
	size_t		objects;	/* data objects in the manifest (binary and physical) */
	uint64_t	bytes;		/* original bytes of the files in the zip */
};

/**
 * export_package(db, st, transfer, path, stats, err): writes ${path}, a
 * zip holding manifest.xml (an ArchiveTransfer in the transfer's SEDA
 * version, as seda_transfer_write makes it) and, at their original Uri,
 * the files of the objects of the transfer's alive units.  Units that
 * are no longer alive (destroyed by disposal) are left out, with their
 * links; the same for the objects only they referred to.  The message
 * keeps the transfer's MessageIdentifier, ArchivalAgreement and
 * TransferringAgency (our ArchivalAgency's identifier when it had none);
 * ArchivalAgency is the one our reply named; Date is now.  Each unit's
 * journal entries become the LogBook of its Management, the transfer's
 * own entries the LogBook of ManagementMetadata.
 * Each file is streamed from a copy whose SHA-256 was checked whole first
 * (another offer's copy when one is damaged or missing), and checked again
 * as it streams: no byte of a copy that does not hold goes in silently.
 * Reads the catalog with ${db} and whatever transaction the caller has
 * open (a read transaction gives one snapshot: nothing here begins or
 * commits one); a caller racing disposal holds store_lock_shared.
 * ${path} is created (mode 0640 before umask) and fsynced; on failure it
 * is removed.  ${stats} may be NULL.
 * SAE_ENOTFOUND: no such accepted transfer, or no alive unit left;
 * SAE_ECORRUPT: no intact copy of an object, or stored metadata that
 * cannot be written back; SAE_EIO: the file could not be written.
 */
int	export_package(sqlite3 *, struct store *, const char *, const char *,
	    struct export_package_stats *, struct sae_err *);

/* The message of a package for another archive (transfer, restitution). */
struct export_as {
	const char	*message_id;		/* ours, new */
	const char	*transferring_agency;	/* this archive */
	const char	*comment;
};

/**
 * export_package_as(db, st, transfer, path, as, stats, err):
 * export_package with the MessageIdentifier, TransferringAgency and
 * Comment of ${as} (NULL: those of the original transfer).
 */
int	export_package_as(sqlite3 *, struct store *, const char *,
	    const char *, const struct export_as *,
	    struct export_package_stats *, struct sae_err *);

#endif

/*
 * conf.h: the daemon's one INI file, read with inih into struct
 * sae_config through one table of keys (section, type, bounds, default,
 * doc).  No file at all gives the embedded defaults.  Unknown keys and
 * out-of-range values are errors that say file:line.
 */
#ifndef SAE_CONF_H
#define SAE_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sae/err.h"

#define SAE_MAX_OFFERS	16
#define SAE_DEFAULT_PORT 8420

enum sae_age_place {
	SAE_PLACE_CURRENT = 0,
	SAE_PLACE_INTERMEDIATE,
	SAE_PLACE_DEFINITIVE,
	SAE_NPLACES
};

struct sae_config_offer {
	char	*name;
	char	*path;		/* absolute, or relative to the data directory */
	int	 sovereign;
};

struct sae_config {
	char		*data_dir;
	/* [server] */
	char		*listen_host;
	int		 listen_port;
	int		 max_connections;
	/* [archive] */
	char		*archival_agency;	/* our ArchivalAgency identifier */
	/* [seda] */
	char		*schemas_dir;
	/* [rules] */
	char		*initial_rules;		/* DUA table loaded into a new data dir */
	/* [limits] */
	uint64_t	 max_package;
	uint64_t	 max_entries;
	uint64_t	 max_expanded;
	uint64_t	 max_ratio;
	uint64_t	 max_manifest;
	uint64_t	 max_depth;
	uint64_t	 max_units;
	/* [tsa] */
	char		*tsa_policy;
	int		 tsa_validity_days;
	int		 tsa_renew_days;	/* renewed when it expires within */
	/* [log] */
	int		 log_level;
	/* [schedule] */
	int		 ages_hours;
	int		 audit_days;		/* 0: no scheduled audit */
	int		 audit_sample;		/* percent */
	/* [journal] */
	int		 seal_minutes;
	/* [retention] */
	int		 current_duration;	/* current-use period when neither */
	int		 current_measure;	/* the DUA row nor a StorageRule says */
	/* [storage], [offer NAME], [placement] */
	int		 definitive_copies;
	struct sae_config_offer offers[SAE_MAX_OFFERS];
	size_t		 noffers;
	/* placement[age] = offer indexes, in order */
	size_t		 placement[SAE_NPLACES][SAE_MAX_OFFERS];
	size_t		 nplacement[SAE_NPLACES];
	/* [schedule] disposal_days, [disposal] */
	int		 disposal_days;
	char		*control_authority;
	int		 disposal_execute_at;	/* -1: at once; else minutes after 00:00 UTC */
	/* [export] */
	int		 export_days;
	char		*export_dir;
	int		 export_keep;
	/* [ui] */
	char		*ui_dir;		/* the web interface's stylesheets */
	int		 ui_secure;		/* cookies marked Secure (behind HTTPS) */
	int		 ui_lines;		/* disposal lines per page */
};

/**
 * sae_config_load(cfg, data_dir, path, err): fills ${cfg} with the
 * defaults, then reads ${path} (NULL: no file) over them, then checks the
 * whole: every placement names a declared offer; definitive placement only
 * on sovereign offers and at least definitive_copies of them.  Errors name
 * the file, line and key, or the offer at fault.
 */
int	sae_config_load(struct sae_config *, const char *, const char *,
	    struct sae_err *);
void	sae_config_done(struct sae_config *);

/** sae_config_offer_path(cfg, i, out, size): absolute path of offer ${i}. */
int	sae_config_offer_path(const struct sae_config *, size_t, char *,
	    size_t);

/** sae_config_dump(cfg, f): writes the effective configuration as INI. */
void	sae_config_dump(const struct sae_config *, FILE *);

#endif

/*
 * dua.c: the DUA table in memory: lookup by id, the names of rule types,
 * measures and final actions, and the calendar arithmetic of retention.
 * Touches only the structs it is given: no I/O, no clock, no logging.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policies/dua.h"

static const char *const type_names[DUA_NTYPES] = {
	"StorageRule",
	"AppraisalRule",
	"AccessRule",
	"DisseminationRule",
	"ReuseRule",
	"ClassificationRule",
	"HoldRule"
};

static const char *const measure_names[] = { "DAY", "MONTH", "YEAR" };

/* DUA_FINAL_NONE is written as an empty FinalAction field. */
static const char *const final_names[] = { "", "Keep", "Destroy", "Sort" };

void
dua_table_free(struct dua_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->rules[i].id);
		free(t->rules[i].value);
		free(t->rules[i].description);
		free(t->rules[i].start_event);
		free(t->rules[i].domain);
	}
	free(t->rules);
	free(t);
}

const struct dua_rule *
dua_table_find(const struct dua_table *t, const char *id)
{
	size_t i;

	if (t == NULL || id == NULL)
		return NULL;
	/* Tables hold tens or hundreds of rows: a linear scan is enough. */
	for (i = 0; i < t->n; i++)
		if (strcmp(t->rules[i].id, id) == 0)
			return &t->rules[i];
	return NULL;
}

int
dua_type_parse(const char *s)
{
	int i;

	/* Vitam spells types exactly so; anything else is a typo. */
	for (i = 0; i < DUA_NTYPES; i++)
		if (strcmp(s, type_names[i]) == 0)
			return i;
	return -1;
}

const char *
dua_type_name(enum dua_type t)
{
	if ((int)t < 0 || t >= DUA_NTYPES)
		return "unknown";
	return type_names[t];
}

int
dua_measure_parse(const char *s)
{
	int i;

	/* Vitam's own files mix Year and YEAR. */
	for (i = 0; i <= DUA_YEAR; i++)
		if (strcasecmp(s, measure_names[i]) == 0)
			return i;
	return -1;
}

const char *
dua_measure_name(enum dua_measure m)
{
	if ((int)m < 0 || m > DUA_YEAR)
		return "unknown";
	return measure_names[m];
}

int
dua_final_parse(const char *s)
{
	int i;

	for (i = DUA_KEEP; i <= DUA_SORT; i++)
		if (strcasecmp(s, final_names[i]) == 0)
			return i;
	return -1;
}

const char *
dua_final_name(enum dua_final f)
{
	if ((int)f < 0 || f > DUA_SORT)
		return "unknown";
	return final_names[f];
}

/* ------------------------------------------------------------ dates */

static int
is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(long y, int m)
{
	static const int dim[12] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/*
 * Days since 1970-01-01 of a proleptic Gregorian date, and back: integer
 * arithmetic on 400-year eras, so no time_t range, time zone or DST can
 * shift a day.
 */
static long long
days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long long z, long long *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Reads "YYYY-MM-DD" exactly; 0 on success. */
static int
date_parse(const char *s, long *y, int *m, int *d)
{
	static const char shape[] = "DDDD-DD-DD";
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; shape[i] != '\0'; i++) {
		if (shape[i] == 'D' ? s[i] < '0' || s[i] > '9' : s[i] != '-')
			return -1;
	}
	if (s[i] != '\0')
		return -1;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	if (*y < 1 || *m < 1 || *m > 12 || *d < 1 ||
	    *d > days_in_month(*y, *m))
		return -1;
	return 0;
}

int
dua_date_valid(const char *s)
{
	long y;
	int m, d;

	return date_parse(s, &y, &m, &d) == 0;
}

int
dua_date_add(const char *start, int n, enum dua_measure measure,
    char out[11], struct sae_err *err)
{
	long long y, months;
	long ys;
	int m, d;

	if (date_parse(start, &ys, &m, &d) == -1)
		return sae_err_set(err, SAE_EINVAL, "'%.40s' is not a date of "
		    "the form YYYY-MM-DD that exists in the calendar",
		    start != NULL ? start : "");
	y = ys;
	switch (measure) {
	case DUA_DAY:
		civil_from_days(days_from_civil(y, m, d) + n, &y, &m, &d);
		break;
	case DUA_MONTH:
	case DUA_YEAR:
		months = y * 12 + (m - 1) +
		    (long long)n * (measure == DUA_YEAR ? 12 : 1);
		/* Floor division, so that negative offsets work too. */
		y = months >= 0 ? months / 12 : (months - 11) / 12;
		m = (int)(months - y * 12) + 1;
		/* 29 February + 1 year, 31 March + 1 month: last day. */
		if (y >= 1 && y <= 9999 && d > days_in_month((long)y, m))
			d = days_in_month((long)y, m);
		break;
	default:
		return sae_err_set(err, SAE_EINVAL,
		    "The unit of a duration must be days, months or years.");
	}
	if (y < 1 || y > 9999)
		return sae_err_set(err, SAE_EINVAL, "%s plus %d %s falls "
		    "outside the years 0001 to 9999.", start, n,
		    measure_names[measure]);
	if (snprintf(out, 11, "%04lld-%02d-%02d", y, m, d) != 10)
		return sae_err_set(err, SAE_EINTERNAL,
		    "A computed date could not be formatted.");
	return 0;
}

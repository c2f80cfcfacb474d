/*
 * ui_audits.c: the "Audit" screen (being written).
 */
#include "config.h"

#include "sae/ui_internal.h"

enum MHD_Result
ui_audits_get(const struct ui_call *c)
{
	return ui_message(c, 501, "Pas encore disponible",
	    "Cet écran n'est pas encore en service.");
}

enum MHD_Result
ui_audits_post(const struct ui_call *c)
{
	return ui_message(c, 501, "Pas encore disponible",
	    "Cet écran n'est pas encore en service.");
}

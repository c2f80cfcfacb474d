/*
 * ui_rules.c: the "Règles" screen (being written).
 */
#include "config.h"

#include "sae/ui_internal.h"

enum MHD_Result
ui_rules_get(const struct ui_call *c)
{
	return ui_message(c, 501, "Pas encore disponible",
	    "Cet écran n'est pas encore en service.");
}

enum MHD_Result
ui_rules_post(const struct ui_call *c)
{
	return ui_message(c, 501, "Pas encore disponible",
	    "Cet écran n'est pas encore en service.");
}

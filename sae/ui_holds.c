/*
 * ui_holds.c: the "Gels" screen (being written).
 */
#include "config.h"

#include "sae/ui_internal.h"

enum MHD_Result
ui_holds_get(const struct ui_call *c)
{
	return ui_message(c, 501, "Pas encore disponible",
	    "Cet écran n'est pas encore en service.");
}

enum MHD_Result
ui_holds_post(const struct ui_call *c)
{
	return ui_message(c, 501, "Pas encore disponible",
	    "Cet écran n'est pas encore en service.");
}

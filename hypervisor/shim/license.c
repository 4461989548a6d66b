// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors
/*
 * Runtime half of the GPL-only export rule: a driver that links a
 * CANDOR_EXPORT_GPL symbol must declare a GPL-compatible license.
 */
#include <stdbool.h>
#include <string.h>

#include "shim_internal.h"

/* Both are weak: absent when the driver declares no license, or links no
 * GPL-only symbol (gpl.c is then not pulled from the archive). */
extern const char candor_driver_license[] __attribute__((weak));
extern const char candor_gpl_symbols_linked __attribute__((weak));

/* Licenses a GPL-only symbol may be used from (GPL-2.0 compatible). */
static const char *const gpl_compatible[] = {
	"GPL-2.0-only", "GPL-2.0-or-later", "GPL-2.0", "GPL-2.0+",
};

static bool term_is_gpl(const char *term, size_t len)
{
	while (len && (*term == ' ' || *term == '(')) {
		term++;
		len--;
	}
	while (len && (term[len - 1] == ' ' || term[len - 1] == ')'))
		len--;
	for (size_t i = 0; i < sizeof(gpl_compatible) / sizeof(*gpl_compatible); i++)
		if (strlen(gpl_compatible[i]) == len &&
		    !strncmp(term, gpl_compatible[i], len))
			return true;
	return false;
}

/* "A OR B": compatible if one alternative is (the recipient may choose it). */
static bool license_is_gpl_compatible(const char *spdx)
{
	for (;;) {
		const char *or = strstr(spdx, " OR ");
		size_t len = or ? (size_t)(or - spdx) : strlen(spdx);

		if (term_is_gpl(spdx, len))
			return true;
		if (!or)
			return false;
		spdx = or + 4;
	}
}

bool shim_license_allows_start(void)
{
	const char *license = candor_driver_license;

	if (!&candor_gpl_symbols_linked)
		return true;
	if (!license) {
		candor_log(CANDOR_LOG_ERROR,
			   "driver uses GPL-only shim symbols but declares no license; add CANDOR_DRIVER_LICENSE(\"GPL-2.0-only\")");
		return false;
	}
	if (!license_is_gpl_compatible(license)) {
		candor_log(CANDOR_LOG_ERROR,
			   "driver license \"%s\" is not GPL-compatible but the driver uses GPL-only shim symbols (.candor_exports_gpl); refusing to start",
			   license);
		return false;
	}
	return true;
}

// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "candor_shim.h"

void candor_log(enum candor_log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info" };
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name,
		level <= CANDOR_LOG_INFO ? names[level] : "?", line);
}
CANDOR_EXPORT(candor_log);

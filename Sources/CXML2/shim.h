// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// A thin C face over libxml2's xmlTextWriter. libxml2's own headers pull in ICU's
// (<unicode/ucnv.h>), which clash with the ICU module Foundation brings into Swift; behind
// this opaque handle no libxml2 header reaches a Swift module.

#ifndef XML_TEXT_WRITER_H
#define XML_TEXT_WRITER_H

#include <stddef.h>

typedef struct xml_text_writer xml_text_writer;

/* A writer into memory with indentation; NULL when out of memory. */
xml_text_writer *xml_text_writer_create(void);
/* Each returns a negative value on failure, as libxml2 does. Attribute values and text
 * may hold any UTF-8: characters XML 1.0 cannot carry are written as U+FFFD. */
int xml_text_writer_start_document(xml_text_writer *writer);
int xml_text_writer_start_element(xml_text_writer *writer, const char *name);
int xml_text_writer_attribute(xml_text_writer *writer, const char *name, const char *value);
int xml_text_writer_text(xml_text_writer *writer, const char *text);
int xml_text_writer_end_element(xml_text_writer *writer);
/* Ends the document and returns the bytes, owned by the writer; NULL on failure. */
const char *xml_text_writer_finish(xml_text_writer *writer, size_t *length);
void xml_text_writer_free(xml_text_writer *writer);

/* Validates the XML document in memory against the XML Schema at xsd_path (its imports
 * resolved relative to it, never over the network). Returns 0 when valid, 1 when not,
 * -1 when the schema or the document cannot be read; the first message goes to `message`
 * (always NUL-terminated). */
int xml_schema_validate(const char *xsd_path, const char *document, size_t length,
			char *message, size_t message_size);

#endif

// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

#include "xml_text_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlwriter.h>

struct xml_text_writer {
	xmlBufferPtr buffer;
	xmlTextWriterPtr writer;
};

xml_text_writer *xml_text_writer_create(void)
{
	xml_text_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->buffer = xmlBufferCreate();
	if (w->buffer)
		w->writer = xmlNewTextWriterMemory(w->buffer, 0);
	if (!w->writer) {
		xml_text_writer_free(w);
		return NULL;
	}
	xmlTextWriterSetIndent(w->writer, 1);
	return w;
}

int xml_text_writer_start_document(xml_text_writer *w)
{
	return xmlTextWriterStartDocument(w->writer, "1.0", "UTF-8", NULL);
}

int xml_text_writer_start_element(xml_text_writer *w, const char *name)
{
	return xmlTextWriterStartElement(w->writer, (const xmlChar *)name);
}

/*
 * XML 1.0 cannot carry control characters (other than tab, newline, carriage return) nor
 * U+FFFE and U+FFFF, and a value may hold anything (a file name, a finding): those become
 * U+FFFD. Returns a new string, or NULL when `text` needs no change or memory is out.
 */
static char *xml_clean(const char *text, int *failed)
{
	const unsigned char *in = (const unsigned char *)text;
	size_t n = strlen(text), bad = 0;

	*failed = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i] < 0x20 && in[i] != '\t' && in[i] != '\n' && in[i] != '\r')
			bad++;
		else if (in[i] == 0xEF && i + 2 < n && in[i + 1] == 0xBF && (in[i + 2] == 0xBE || in[i + 2] == 0xBF))
			bad++;
	}
	if (!bad)
		return NULL;
	char *out = malloc(n + 2 * bad + 1), *o = out;
	if (!out) {
		*failed = 1;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		int control = in[i] < 0x20 && in[i] != '\t' && in[i] != '\n' && in[i] != '\r';
		int nonchar = in[i] == 0xEF && i + 2 < n && in[i + 1] == 0xBF && (in[i + 2] == 0xBE || in[i + 2] == 0xBF);
		if (control || nonchar) {
			memcpy(o, "\xEF\xBF\xBD", 3);
			o += 3;
			i += nonchar ? 2 : 0;
		} else {
			*o++ = (char)in[i];
		}
	}
	*o = '\0';
	return out;
}

int xml_text_writer_attribute(xml_text_writer *w, const char *name, const char *value)
{
	int failed;
	char *clean = xml_clean(value, &failed);
	if (failed)
		return -1;
	int result = xmlTextWriterWriteAttribute(w->writer, (const xmlChar *)name,
						 (const xmlChar *)(clean ? clean : value));
	free(clean);
	return result;
}

int xml_text_writer_text(xml_text_writer *w, const char *text)
{
	int failed;
	char *clean = xml_clean(text, &failed);
	if (failed)
		return -1;
	int result = xmlTextWriterWriteString(w->writer, (const xmlChar *)(clean ? clean : text));
	free(clean);
	return result;
}

int xml_text_writer_end_element(xml_text_writer *w)
{
	return xmlTextWriterEndElement(w->writer);
}

const char *xml_text_writer_finish(xml_text_writer *w, size_t *length)
{
	if (!w->writer || xmlTextWriterEndDocument(w->writer) < 0)
		return NULL;
	/* Freeing the writer flushes it into the buffer. */
	xmlFreeTextWriter(w->writer);
	w->writer = NULL;
	*length = (size_t)xmlBufferLength(w->buffer);
	return (const char *)xmlBufferContent(w->buffer);
}

void xml_text_writer_free(xml_text_writer *w)
{
	if (!w)
		return;
	if (w->writer)
		xmlFreeTextWriter(w->writer);
	if (w->buffer)
		xmlBufferFree(w->buffer);
	free(w);
}

struct first_error {
	char *message;
	size_t size;
	int seen;
};

/* Keeps the first error only: later ones are usually its consequences. */
static void keep_first_error(void *context, const xmlError *error)
{
	struct first_error *first = context;

	if (first->seen || !error || first->size == 0)
		return;
	first->seen = 1;
	snprintf(first->message, first->size, "line %d: %s", error->line, error->message ? error->message : "error");
	/* libxml2's messages end in a newline. */
	size_t n = strlen(first->message);
	if (n > 0 && first->message[n - 1] == '\n')
		first->message[n - 1] = '\0';
}

int xml_schema_validate(const char *xsd_path, const char *document, size_t length,
			char *message, size_t message_size)
{
	struct first_error first = { message, message_size, 0 };
	xmlSchemaParserCtxtPtr parser = NULL;
	xmlSchemaPtr schema = NULL;
	xmlSchemaValidCtxtPtr valid = NULL;
	xmlDocPtr doc = NULL;
	int result = -1;

	if (message_size > 0)
		message[0] = '\0';
	/* Checked first, so that libxml2 does not print its own warning about it. */
	FILE *readable = fopen(xsd_path, "r");
	if (!readable)
		goto out;
	fclose(readable);
	parser = xmlSchemaNewParserCtxt(xsd_path);
	if (!parser)
		goto out;
	xmlSchemaSetParserStructuredErrors(parser, (xmlStructuredErrorFunc)keep_first_error, &first);
	schema = xmlSchemaParse(parser);
	if (!schema)
		goto out;
	doc = xmlReadMemory(document, (int)length, "document.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		if (!first.seen)
			snprintf(message, message_size, "not well-formed XML");
		goto out;
	}
	valid = xmlSchemaNewValidCtxt(schema);
	if (!valid)
		goto out;
	xmlSchemaSetValidStructuredErrors(valid, (xmlStructuredErrorFunc)keep_first_error, &first);
	result = xmlSchemaValidateDoc(valid, doc) == 0 ? 0 : 1;
out:
	if (result < 0 && !first.seen && message_size > 0 && message[0] == '\0')
		snprintf(message, message_size, "cannot read the schema %s", xsd_path);
	if (valid)
		xmlSchemaFreeValidCtxt(valid);
	if (doc)
		xmlFreeDoc(doc);
	if (schema)
		xmlSchemaFree(schema);
	if (parser)
		xmlSchemaFreeParserCtxt(parser);
	return result;
}

// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

#include "xml_text_writer.h"

#include <stdlib.h>
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

int xml_text_writer_attribute(xml_text_writer *w, const char *name, const char *value)
{
	return xmlTextWriterWriteAttribute(w->writer, (const xmlChar *)name, (const xmlChar *)value);
}

int xml_text_writer_text(xml_text_writer *w, const char *text)
{
	return xmlTextWriterWriteString(w->writer, (const xmlChar *)text);
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

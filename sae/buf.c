/*
 * buf.c: struct sae_buf and small hex helpers.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sae/buf.h"
#include "sae/xmalloc.h"

void
sae_buf_init(struct sae_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
sae_buf_done(struct sae_buf *b)
{
	free(b->data);
	sae_buf_init(b);
}

void
sae_buf_reset(struct sae_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
sae_buf_reserve(struct sae_buf *b, size_t n)
{
	size_t want = b->len + n + 1;

	if (want <= b->cap)
		return;
	if (want < b->cap * 2)
		want = b->cap * 2;
	if (want < 64)
		want = 64;
	b->data = sae_xrealloc(b->data, want);
	b->cap = want;
}

void
sae_buf_add(struct sae_buf *b, const void *p, size_t n)
{
	sae_buf_reserve(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
sae_buf_adds(struct sae_buf *b, const char *s)
{
	sae_buf_add(b, s, strlen(s));
}

void
sae_buf_addc(struct sae_buf *b, char c)
{
	sae_buf_add(b, &c, 1);
}

void
sae_buf_vprintf(struct sae_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	sae_buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
sae_buf_printf(struct sae_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sae_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
sae_hex(char *out, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void
sae_buf_add_hex(struct sae_buf *b, const unsigned char *p, size_t n)
{
	sae_buf_reserve(b, 2 * n);
	sae_hex(b->data + b->len, p, n);
	b->len += 2 * n;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
sae_unhex(unsigned char *out, size_t max, const char *hex)
{
	size_t len = strlen(hex), i;
	int hi, lo;

	if (len % 2 != 0 || len / 2 > max)
		return -1;
	for (i = 0; i < len / 2; i++) {
		if ((hi = hexval(hex[2 * i])) < 0 ||
		    (lo = hexval(hex[2 * i + 1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (long)(len / 2);
}

char *
sae_buf_detach(struct sae_buf *b)
{
	char *p = b->data;

	if (p == NULL)
		p = sae_xstrdup("");
	sae_buf_init(b);
	return p;
}

/*
 * zstd_stream.c: streaming zstd compression to a sink and decompression
 * from a source, one frame each.  Touches only memory and the callbacks it
 * is given; libzstd types never leave this file.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "storage/zstd_stream.h"

struct zstd_stream_enc {
	ZSTD_CCtx		*cctx;
	zstd_stream_sink	*sink;
	void			*arg;
	unsigned char		*out;
	size_t			 outsize;
	size_t			 outpos;
};

struct zstd_stream_dec {
	ZSTD_DCtx		*dctx;
	zstd_stream_source	*source;
	void			*arg;
	unsigned char		*in;
	size_t			 insize;
	size_t			 inpos;
	size_t			 inlen;
	int			 ended;	/* the frame is complete */
	int			 eof;		/* the source said 0 */
};

static void *
zalloc(size_t n)
{
	void *p;

	/* Fixed sizes chosen by libzstd: failing here is out of memory. */
	if ((p = malloc(n)) == NULL)
		abort();
	return p;
}

size_t
zstd_stream_bound(size_t n)
{
	return ZSTD_compressBound(n);
}

size_t
zstd_stream_trial(int level, const void *p, size_t n, void *out,
    size_t outsize)
{
	size_t r;

	r = ZSTD_compress(out, outsize, p, n, level);
	if (ZSTD_isError(r))
		return 0;
	return r;
}

struct zstd_stream_enc *
zstd_stream_enc_new(int level, zstd_stream_sink *sink, void *arg)
{
	struct zstd_stream_enc *z;

	z = zalloc(sizeof(*z));
	memset(z, 0, sizeof(*z));
	if ((z->cctx = ZSTD_createCCtx()) == NULL)
		abort();
	ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel, level);
	z->sink = sink;
	z->arg = arg;
	z->outsize = ZSTD_CStreamOutSize();
	z->out = zalloc(z->outsize);
	return z;
}

/* Runs the compressor over ${in} with ${mode}, draining full buffers. */
static int
enc_run(struct zstd_stream_enc *z, ZSTD_inBuffer *in, ZSTD_EndDirective mode,
    struct sae_err *err)
{
	ZSTD_outBuffer out;
	size_t r;

	for (;;) {
		out.dst = z->out;
		out.size = z->outsize;
		out.pos = z->outpos;
		r = ZSTD_compressStream2(z->cctx, &out, in, mode);
		z->outpos = out.pos;
		if (ZSTD_isError(r))
			return sae_err_set(err, SAE_EINTERNAL,
			    "zstd compression failed: %s",
			    ZSTD_getErrorName(r));
		/*
		 * Hand over only full buffers, so that small writes do not
		 * turn into small write(2) calls; the end flushes the rest.
		 */
		if (z->outpos == z->outsize ||
		    (mode == ZSTD_e_end && r == 0 && z->outpos > 0)) {
			if (z->sink(z->arg, z->out, z->outpos, err) == -1)
				return -1;
			z->outpos = 0;
		}
		if (mode == ZSTD_e_end ? r == 0 : in->pos == in->size)
			return 0;
	}
}

int
zstd_stream_enc_write(struct zstd_stream_enc *z, const void *p, size_t n,
    struct sae_err *err)
{
	ZSTD_inBuffer in = { p, n, 0 };

	if (n == 0)
		return 0;
	return enc_run(z, &in, ZSTD_e_continue, err);
}

int
zstd_stream_enc_end(struct zstd_stream_enc *z, struct sae_err *err)
{
	ZSTD_inBuffer in = { NULL, 0, 0 };

	return enc_run(z, &in, ZSTD_e_end, err);
}

void
zstd_stream_enc_free(struct zstd_stream_enc *z)
{
	if (z == NULL)
		return;
	ZSTD_freeCCtx(z->cctx);
	free(z->out);
	free(z);
}

struct zstd_stream_dec *
zstd_stream_dec_new(zstd_stream_source *source, void *arg)
{
	struct zstd_stream_dec *z;

	z = zalloc(sizeof(*z));
	memset(z, 0, sizeof(*z));
	if ((z->dctx = ZSTD_createDCtx()) == NULL)
		abort();
	z->source = source;
	z->arg = arg;
	z->insize = ZSTD_DStreamInSize();
	z->in = zalloc(z->insize);
	return z;
}

/* Refills the input buffer; -1 on a source error, 0 at its end. */
static int
dec_fill(struct zstd_stream_dec *z, struct sae_err *err)
{
	ssize_t n;

	if (z->inpos < z->inlen || z->eof)
		return 0;
	if ((n = z->source(z->arg, z->in, z->insize, err)) == -1)
		return -1;
	z->inpos = 0;
	z->inlen = (size_t)n;
	if (n == 0)
		z->eof = 1;
	return 0;
}

ssize_t
zstd_stream_dec_read(struct zstd_stream_dec *z, void *buf, size_t len,
    struct sae_err *err)
{
	ZSTD_outBuffer out = { buf, len, 0 };
	ZSTD_inBuffer in;
	size_t r;

	if (len == 0)
		return 0;
	for (;;) {
		if (dec_fill(z, err) == -1)
			return -1;
		if (z->ended) {
			if (z->inpos < z->inlen)
				return sae_err_set(err, SAE_ECORRUPT,
				    "data follows the zstd frame");
			return 0;
		}
		/*
		 * Called even with no input left: the decoder may still hold
		 * output from an earlier call whose buffer was full.
		 */
		in.src = z->in;
		in.size = z->inlen;
		in.pos = z->inpos;
		r = ZSTD_decompressStream(z->dctx, &out, &in);
		z->inpos = in.pos;
		if (ZSTD_isError(r))
			return sae_err_set(err, SAE_ECORRUPT,
			    "the zstd frame is damaged (%s)",
			    ZSTD_getErrorName(r));
		if (r == 0)
			z->ended = 1;
		if (out.pos > 0)
			return (ssize_t)out.pos;
		if (!z->ended && z->eof && z->inpos == z->inlen)
			return sae_err_set(err, SAE_ECORRUPT,
			    "the zstd frame is truncated");
	}
}

void
zstd_stream_dec_free(struct zstd_stream_dec *z)
{
	if (z == NULL)
		return;
	ZSTD_freeDCtx(z->dctx);
	free(z->in);
	free(z);
}

/*
 * zstd_stream.h: small streaming wrappers around libzstd for the object
 * store: an encoder that pushes one frame to a sink, a decoder that pulls
 * one frame from a source, and the trial that says whether zstd pays.
 */
#ifndef STORAGE_ZSTD_STREAM_H
#define STORAGE_ZSTD_STREAM_H

#include <stddef.h>
#include <sys/types.h>

#include "sae/err.h"

/* Where the encoder sends its output: 0, or -1 with ${err} filled. */
typedef int	zstd_stream_sink(void *, const void *, size_t,
		    struct sae_err *);
/* Where the decoder takes its input: a count, 0 at the end, -1 on error. */
typedef ssize_t	zstd_stream_source(void *, void *, size_t,
		    struct sae_err *);

struct zstd_stream_enc;
struct zstd_stream_dec;

/**
 * zstd_stream_trial(level, p, n, out, outsize): compresses ${p} (${n}
 * bytes) as one frame into ${out}.  Returns the frame size, or 0 if it
 * does not fit in ${outsize} bytes (so it would not pay) or zstd failed.
 */
size_t	zstd_stream_trial(int, const void *, size_t, void *, size_t);

/** zstd_stream_bound(n): the largest frame ${n} bytes can become. */
size_t	zstd_stream_bound(size_t);

/**
 * zstd_stream_enc_new(level, sink, arg): an encoder writing one frame to
 * ${sink}(${arg}, ...).  Memory stays bounded (one output buffer plus the
 * zstd context).  Aborts if out of memory.
 */
struct zstd_stream_enc *zstd_stream_enc_new(int, zstd_stream_sink *, void *);
/** zstd_stream_enc_write(z, p, n, err): compresses ${n} more bytes. */
int	zstd_stream_enc_write(struct zstd_stream_enc *, const void *, size_t,
	    struct sae_err *);
/** zstd_stream_enc_end(z, err): ends the frame and flushes it to the sink. */
int	zstd_stream_enc_end(struct zstd_stream_enc *, struct sae_err *);
/** zstd_stream_enc_free(z): NULL-safe. */
void	zstd_stream_enc_free(struct zstd_stream_enc *);

/**
 * zstd_stream_dec_new(source, arg): a decoder reading exactly one frame
 * from ${source}(${arg}, ...).  Aborts if out of memory.
 */
struct zstd_stream_dec *zstd_stream_dec_new(zstd_stream_source *, void *);
/**
 * zstd_stream_dec_read(z, buf, len, err): up to ${len} decoded bytes; 0
 * once the frame has ended and the source is exhausted; -1 on error.  A
 * damaged or truncated frame, or bytes after it, give SAE_ECORRUPT with
 * zstd's reason as the message; source errors pass up unchanged.
 */
ssize_t	zstd_stream_dec_read(struct zstd_stream_dec *, void *, size_t,
	    struct sae_err *);
/** zstd_stream_dec_free(z): NULL-safe. */
void	zstd_stream_dec_free(struct zstd_stream_dec *);

#endif

/* storage/zstd_stream.h: not written yet. */

/* storage/zstd_stream.c: not written yet. */
#include "config.h"

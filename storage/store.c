/*
 * store.c: the content-addressed object store on local offers: writers
 * that hash, compress when it pays and commit crash-safely, readers that
 * check the digest, verify, stat, delete and copy between offers.
 * Touches only the offers' directories (objects/ and tmp/); never logs.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sae/buf.h"
#include "sae/fsutil.h"
#include "sae/xmalloc.h"
#include "storage/store.h"
#include "storage/zstd_stream.h"

#define SAMPLE_SIZE	(128 * 1024)	/* what decides raw or zstd */
#define IO_SIZE		(128 * 1024)
#define ZSTD_LEVEL	3
#define HEX_LEN		64

struct store_offer {
	char		*name;
	char		*root;
	int		 sovereign;
	pthread_mutex_t	 lock;		/* guards fanout */
	unsigned char	 fanout[256 / 8];	/* fan-out dirs synced */
};

struct store {
	struct store_offer	*offers;
	size_t			 noffers;
};

enum wstate { W_OPEN, W_FINISHED, W_COMMITTED, W_FAILED };

struct store_writer {
	struct store_offer	*offer;
	enum wstate		 state;
	int			 fd;
	char			 tmp[PATH_MAX];
	struct digest_set	*ds;
	int			 decided;	/* encoding chosen */
	enum store_encoding	 enc;
	unsigned char		*buf;	/* sample, then raw buffer */
	size_t			 buflen;
	struct zstd_stream_enc	*z;
	uint64_t		 size;
	char			 hex[HEX_LEN + 1];
};

struct store_reader {
	struct store_offer	*offer;
	int			 fd;
	enum store_encoding	 enc;
	struct zstd_stream_dec	*z;
	struct digest_set	*ds;
	unsigned char		 sha256[32];
	char			 hex[HEX_LEN + 1];
	int			 state;	/* 0 open, 1 done, -1 bad */
	struct digest_result	 res;
};

static const char *const ext[] = { [STORE_RAW] = "", [STORE_ZSTD] = ".zst" };

/*
 * Test hook for tests/crash: dies at the named point of a commit so that
 * recovery can be checked.  Compiled out with --disable-crashpoints.
 */
static void
crashpoint(const char *name)
{
#ifdef SAE_CRASHPOINTS
	const char *want = getenv("SAE_CRASHPOINT");

	if (want != NULL && strcmp(want, name) == 0)
		abort();
#else
	(void)name;
#endif
}

static struct store_offer *
find_offer(const struct store *st, const char *name, struct sae_err *err)
{
	size_t i;

	for (i = 0; i < st->noffers; i++)
		if (strcmp(st->offers[i].name, name) == 0)
			return &st->offers[i];
	sae_err_set(err, SAE_EINVAL, "there is no storage offer named '%s'",
	    name);
	return NULL;
}

static int
too_long(const struct store_offer *o, struct sae_err *err)
{
	return sae_err_set(err, SAE_EINVAL,
	    "the path of storage offer '%s' is too long", o->name);
}

static int
fan_path(const struct store_offer *o, const char *hex, char *out,
    struct sae_err *err)
{
	if (sae_path(out, PATH_MAX, "%s/objects/%.2s", o->root, hex) == -1)
		return too_long(o, err);
	return 0;
}

static int
obj_path(const struct store_offer *o, const char *hex,
    enum store_encoding enc, char *out, struct sae_err *err)
{
	if (sae_path(out, PATH_MAX, "%s/objects/%.2s/%s%s", o->root, hex, hex,
	    ext[enc]) == -1)
		return too_long(o, err);
	return 0;
}

static int
valid_name(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_' || *s == '-'))
			return 0;
	return 1;
}

/* Removes what a crash left in ROOT/tmp: no writer runs yet. */
static int
clean_tmp(const struct store_offer *o, const char *dir, struct sae_err *err)
{
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if ((d = opendir(dir)) == NULL)
		return sae_err_sys(err, SAE_EIO,
		    "cannot list the temp directory of storage offer '%s'",
		    o->name);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		/* Directories are not ours: leave them for the operator. */
		if (unlinkat(dirfd(d), de->d_name, 0) == -1 &&
		    errno != ENOENT && errno != EISDIR) {
			ret = sae_err_sys(err, SAE_EIO,
			    "cannot remove stale temp file '%s/%s'", dir,
			    de->d_name);
			break;
		}
	}
	closedir(d);
	return ret;
}

static int
open_offer(struct store_offer *o, struct sae_err *err)
{
	char objs[PATH_MAX], tmp[PATH_MAX];

	if (sae_path(objs, sizeof(objs), "%s/objects", o->root) == -1 ||
	    sae_path(tmp, sizeof(tmp), "%s/tmp", o->root) == -1)
		return too_long(o, err);
	if (sae_fs_mkdirp(objs, 0750, err) == -1 ||
	    sae_fs_mkdirp(tmp, 0750, err) == -1 ||
	    sae_fs_fsync_dir(o->root, err) == -1) {
		sae_err_prefix(err, "storage offer '%s'", o->name);
		return -1;
	}
	return clean_tmp(o, tmp, err);
}

int
store_open(struct store **out, const struct store_offer_conf *conf, size_t n,
    struct sae_err *err)
{
	struct store *st;
	size_t i, j;

	*out = NULL;
	if (n == 0)
		return sae_err_set(err, SAE_EINVAL,
		    "no storage offer is configured");
	for (i = 0; i < n; i++) {
		if (!valid_name(conf[i].name))
			return sae_err_set(err, SAE_EINVAL,
			    "storage offer name '%s' is invalid; use a-z, 0-9, "
			    "'_' and '-'", conf[i].name ? conf[i].name : "");
		if (conf[i].path == NULL || conf[i].path[0] == '\0')
			return sae_err_set(err, SAE_EINVAL,
			    "storage offer '%s' has no path", conf[i].name);
		for (j = 0; j < i; j++)
			if (strcmp(conf[i].name, conf[j].name) == 0)
				return sae_err_set(err, SAE_EINVAL,
				    "storage offer '%s' is declared twice",
				    conf[i].name);
	}
	st = sae_xcalloc(1, sizeof(*st));
	st->offers = sae_xcalloc(n, sizeof(*st->offers));
	for (i = 0; i < n; i++) {
		st->offers[i].name = sae_xstrdup(conf[i].name);
		st->offers[i].root = sae_xstrdup(conf[i].path);
		st->offers[i].sovereign = conf[i].sovereign != 0;
		pthread_mutex_init(&st->offers[i].lock, NULL);
		st->noffers++;
		if (open_offer(&st->offers[i], err) == -1) {
			store_free(st);
			return -1;
		}
	}
	*out = st;
	return 0;
}

void
store_free(struct store *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->noffers; i++) {
		free(st->offers[i].name);
		free(st->offers[i].root);
		pthread_mutex_destroy(&st->offers[i].lock);
	}
	free(st->offers);
	free(st);
}

int
store_offer_sovereign(const struct store *st, const char *name)
{
	struct store_offer *o;

	if ((o = find_offer(st, name, NULL)) == NULL)
		return -1;
	return o->sovereign;
}

/* ------------------------------------------------------------ writer */

static int
tmp_write(void *arg, const void *p, size_t n, struct sae_err *err)
{
	struct store_writer *w = arg;

	if (sae_fs_write_all(w->fd, p, n) == -1)
		return sae_err_sys(err, SAE_EIO, "cannot write temp file '%s'",
		    w->tmp);
	return 0;
}

int
store_writer_new(struct store_writer **out, struct store *st,
    const char *offer, unsigned mask, struct sae_err *err)
{
	struct store_writer *w;
	struct store_offer *o;
	unsigned char rnd[16];
	char hex[33];
	int tries;

	*out = NULL;
	if ((o = find_offer(st, offer, err)) == NULL)
		return -1;
	w = sae_xcalloc(1, sizeof(*w));
	w->offer = o;
	w->fd = -1;
	for (tries = 0; tries < 8 && w->fd == -1; tries++) {
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			sae_err_sys(err, SAE_EIO,
			    "cannot name a temp file on storage offer '%s'",
			    o->name);
			goto fail;
		}
		sae_hex(hex, rnd, sizeof(rnd));
		if (sae_path(w->tmp, sizeof(w->tmp), "%s/tmp/%s", o->root,
		    hex) == -1) {
			too_long(o, err);
			goto fail;
		}
		w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, 0640);
		if (w->fd == -1 && errno != EEXIST) {
			sae_err_sys(err, SAE_EIO,
			    "cannot create temp file '%s'", w->tmp);
			goto fail;
		}
	}
	if (w->fd == -1) {
		sae_err_set(err, SAE_EIO, "cannot create a temp file on "
		    "storage offer '%s': every name tried exists", o->name);
		goto fail;
	}
	w->ds = digest_set_new(mask | DIGEST_MASK(DIGEST_SHA256) |
	    DIGEST_MASK(DIGEST_SHA512));
	w->buf = sae_xmalloc(SAMPLE_SIZE);
	*out = w;
	return 0;
fail:
	free(w);
	return -1;
}

/* Raw output goes through w->buf so that small writes stay cheap. */
static int
raw_write(struct store_writer *w, const unsigned char *p, size_t n,
    struct sae_err *err)
{
	if (w->buflen + n <= IO_SIZE) {
		memcpy(w->buf + w->buflen, p, n);
		w->buflen += n;
		return 0;
	}
	if (w->buflen > 0 && tmp_write(w, w->buf, w->buflen, err) == -1)
		return -1;
	w->buflen = 0;
	if (n >= IO_SIZE)
		return tmp_write(w, p, n, err);
	memcpy(w->buf, p, n);
	w->buflen = n;
	return 0;
}

/*
 * Chooses the encoding from the full sample (or the whole object when it
 * is smaller), so that identical contents always get identical files.
 * zstd must save at least a tenth to be worth a decompression on reading.
 * ${last}: the sample is the whole object, and a frame that pays is
 * written as is.
 */
static int
decide(struct store_writer *w, int last, struct sae_err *err)
{
	size_t room = w->buflen - w->buflen / 10, zlen;
	unsigned char *trial;
	int ret = 0;

	w->decided = 1;
	trial = sae_xmalloc(room > 0 ? room : 1);
	zlen = room > 0 ? zstd_stream_trial(ZSTD_LEVEL, w->buf, w->buflen,
	    trial, room) : 0;
	if (zlen == 0) {
		/* Keep w->buf as it is: it becomes the raw write buffer. */
		w->enc = STORE_RAW;
		goto out;
	}
	w->enc = STORE_ZSTD;
	if (last)
		ret = tmp_write(w, trial, zlen, err);
	else {
		w->z = zstd_stream_enc_new(ZSTD_LEVEL, tmp_write, w);
		ret = zstd_stream_enc_write(w->z, w->buf, w->buflen, err);
	}
	free(w->buf);
	w->buf = NULL;
	w->buflen = 0;
out:
	free(trial);
	return ret;
}

int
store_writer_write(struct store_writer *w, const void *p, size_t n,
    struct sae_err *err)
{
	const unsigned char *c = p;
	size_t take;

	if (w->state != W_OPEN)
		return sae_err_set(err, SAE_EINTERNAL,
		    "write to temp file '%s' after it was ended or failed",
		    w->tmp);
	digest_set_update(w->ds, p, n);
	w->size += n;
	if (!w->decided) {
		take = SAMPLE_SIZE - w->buflen;
		if (take > n)
			take = n;
		memcpy(w->buf + w->buflen, c, take);
		w->buflen += take;
		c += take;
		n -= take;
		/* Decide on overflow: a full sample may be the whole. */
		if (n == 0)
			return 0;
		if (decide(w, 0, err) == -1)
			goto fail;
	}
	if (w->enc == STORE_ZSTD) {
		if (zstd_stream_enc_write(w->z, c, n, err) == -1)
			goto fail;
	} else if (raw_write(w, c, n, err) == -1)
		goto fail;
	return 0;
fail:
	w->state = W_FAILED;
	return -1;
}

int
store_writer_finish(struct store_writer *w, struct digest_result *digests,
    uint64_t *size, struct sae_err *err)
{
	struct digest_result res;

	if (w->state != W_OPEN)
		return sae_err_set(err, SAE_EINTERNAL,
		    "temp file '%s' was already ended or failed", w->tmp);
	w->state = W_FAILED;
	if (!w->decided) {
		if (decide(w, 1, err) == -1)
			return -1;
	} else if (w->enc == STORE_ZSTD) {
		if (zstd_stream_enc_end(w->z, err) == -1)
			return -1;
	}
	if (w->buflen > 0 && tmp_write(w, w->buf, w->buflen, err) == -1)
		return -1;
	w->buflen = 0;
	if (fsync(w->fd) == -1)
		return sae_err_sys(err, SAE_EIO, "cannot sync temp file '%s'",
		    w->tmp);
	if (close(w->fd) == -1) {
		w->fd = -1;
		return sae_err_sys(err, SAE_EIO, "cannot close temp file '%s'",
		    w->tmp);
	}
	w->fd = -1;
	zstd_stream_enc_free(w->z);
	w->z = NULL;
	free(w->buf);
	w->buf = NULL;
	digest_set_final(w->ds, &res);
	sae_hex(w->hex, res.value[DIGEST_SHA256], 32);
	if (digests != NULL)
		*digests = res;
	if (size != NULL)
		*size = w->size;
	w->state = W_FINISHED;
	return 0;
}

/*
 * Makes sure the fan-out directory exists and that its entry in objects/
 * is durable.  The first use in this process fsyncs objects/ even if the
 * directory was already there: another thread may have just created it
 * and not yet synced it.
 */
static int
fanout_ready(struct store_offer *o, const char *hex, const char *dir,
    struct sae_err *err)
{
	char objs[PATH_MAX], pair[3] = { hex[0], hex[1], '\0' };
	unsigned char b[1];
	int known;

	if (sae_unhex(b, 1, pair) != 1)
		return sae_err_set(err, SAE_EINTERNAL, "bad object name");
	pthread_mutex_lock(&o->lock);
	known = o->fanout[b[0] / 8] & (1u << (b[0] % 8));
	pthread_mutex_unlock(&o->lock);
	if (known)
		return 0;
	if (mkdir(dir, 0750) == -1 && errno != EEXIST)
		return sae_err_sys(err, SAE_EIO, "cannot create '%s'", dir);
	if (sae_path(objs, sizeof(objs), "%s/objects", o->root) == -1)
		return too_long(o, err);
	if (sae_fs_fsync_dir(objs, err) == -1)
		return -1;
	pthread_mutex_lock(&o->lock);
	o->fanout[b[0] / 8] |= (unsigned char)(1u << (b[0] % 8));
	pthread_mutex_unlock(&o->lock);
	return 0;
}

int
store_writer_commit(struct store_writer *w, struct sae_err *err)
{
	char dir[PATH_MAX], dst[PATH_MAX], other[PATH_MAX];
	struct store_offer *o = w->offer;

	if (w->state != W_FINISHED)
		return sae_err_set(err, SAE_EINTERNAL,
		    "temp file '%s' committed before it was ended", w->tmp);
	if (fan_path(o, w->hex, dir, err) == -1 ||
	    obj_path(o, w->hex, w->enc, dst, err) == -1 ||
	    obj_path(o, w->hex, w->enc == STORE_RAW ? STORE_ZSTD : STORE_RAW,
	    other, err) == -1)
		return -1;
	if (fanout_ready(o, w->hex, dir, err) == -1)
		return -1;
	if (sae_fs_exists(dst) || sae_fs_exists(other)) {
		/*
		 * Same name, same content: keep the copy in place.  Its
		 * writer may not have synced the directory yet, and our
		 * caller is about to rely on it, so sync it here too.
		 */
		if (unlink(w->tmp) == -1 && errno != ENOENT)
			return sae_err_sys(err, SAE_EIO,
			    "cannot remove temp file '%s'", w->tmp);
		w->state = W_COMMITTED;
		return sae_fs_fsync_dir(dir, err);
	}
	crashpoint("store-before-rename");
	/*
	 * Two writers of one content may both get here: the second rename
	 * replaces a file with the same bytes, which is harmless.
	 */
	if (rename(w->tmp, dst) == -1)
		return sae_err_sys(err, SAE_EIO, "cannot rename '%s' to '%s'",
		    w->tmp, dst);
	w->state = W_COMMITTED;
	if (sae_fs_fsync_dir(dir, err) == -1)
		return -1;
	crashpoint("store-after-rename");
	return 0;
}

void
store_writer_free(struct store_writer *w)
{
	if (w == NULL)
		return;
	if (w->fd != -1)
		close(w->fd);
	if (w->state != W_COMMITTED)
		unlink(w->tmp);
	zstd_stream_enc_free(w->z);
	digest_set_free(w->ds);
	free(w->buf);
	free(w);
}

/* ------------------------------------------------------------ reader */

static int
not_found(const struct store_offer *o, const char *hex, struct sae_err *err)
{
	return sae_err_set(err, SAE_ENOTFOUND,
	    "object %s is not on storage offer '%s'", hex, o->name);
}

static ssize_t
copy_read(void *arg, void *p, size_t n, struct sae_err *err)
{
	struct store_reader *r = arg;
	ssize_t got;

	do
		got = read(r->fd, p, n);
	while (got == -1 && errno == EINTR);
	if (got == -1)
		return sae_err_sys(err, SAE_EIO, "cannot read the stored copy "
		    "of object %s on offer '%s'", r->hex, r->offer->name);
	return got;
}

static int
reader_open(struct store_reader **out, struct store *st, const char *offer,
    const unsigned char sha256[32], unsigned mask, struct sae_err *err)
{
	char path[PATH_MAX];
	struct store_reader *r;
	struct store_offer *o;
	int enc;

	*out = NULL;
	if ((o = find_offer(st, offer, err)) == NULL)
		return -1;
	r = sae_xcalloc(1, sizeof(*r));
	r->offer = o;
	r->fd = -1;
	memcpy(r->sha256, sha256, 32);
	sae_hex(r->hex, sha256, 32);
	for (enc = STORE_RAW; enc <= STORE_ZSTD && r->fd == -1; enc++) {
		if (obj_path(o, r->hex, enc, path, err) == -1)
			goto fail;
		r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (r->fd == -1 && errno != ENOENT) {
			sae_err_sys(err, SAE_EIO, "cannot open '%s'", path);
			goto fail;
		}
		r->enc = enc;
	}
	if (r->fd == -1) {
		not_found(o, r->hex, err);
		goto fail;
	}
	if (r->enc == STORE_ZSTD)
		r->z = zstd_stream_dec_new(copy_read, r);
	r->ds = digest_set_new(mask | DIGEST_MASK(DIGEST_SHA256));
	*out = r;
	return 0;
fail:
	free(r);
	return -1;
}

int
store_reader_open(struct store_reader **out, struct store *st,
    const char *offer, const unsigned char sha256[32], struct sae_err *err)
{
	return reader_open(out, st, offer, sha256, 0, err);
}

static int
corrupt(struct store_reader *r, const char *why, struct sae_err *err)
{
	r->state = -1;
	return sae_err_set(err, SAE_ECORRUPT, "stored copy of object %s on "
	    "offer '%s' is corrupt (%s)", r->hex, r->offer->name, why);
}

ssize_t
store_reader_read(struct store_reader *r, void *buf, size_t len,
    struct sae_err *err)
{
	char why[sizeof(err->msg)];
	struct sae_err zerr;
	ssize_t n;

	if (r->state == 1)
		return 0;
	if (r->state == -1)
		return corrupt(r, "an earlier read failed", err);
	if (r->enc == STORE_RAW)
		n = copy_read(r, buf, len, err);
	else {
		sae_err_clear(&zerr);
		n = zstd_stream_dec_read(r->z, buf, len, &zerr);
		if (n == -1 && zerr.code == SAE_ECORRUPT) {
			memcpy(why, zerr.msg, sizeof(why));
			return corrupt(r, why, err);
		}
		if (n == -1 && err != NULL)
			*err = zerr;
	}
	if (n == -1) {
		r->state = -1;
		return -1;
	}
	if (n > 0 || len == 0) {
		digest_set_update(r->ds, buf, (size_t)n);
		return n;
	}
	digest_set_final(r->ds, &r->res);
	if (memcmp(r->res.value[DIGEST_SHA256], r->sha256, 32) != 0)
		return corrupt(r, "digest mismatch", err);
	r->state = 1;
	return 0;
}

void
store_reader_free(struct store_reader *r)
{
	if (r == NULL)
		return;
	if (r->fd != -1)
		close(r->fd);
	zstd_stream_dec_free(r->z);
	digest_set_free(r->ds);
	free(r);
}

/* ------------------------------------------------- whole-object calls */

int
store_stat(struct store *st, const char *offer, const unsigned char sha256[32],
    struct store_stat *out, struct sae_err *err)
{
	char hex[HEX_LEN + 1], path[PATH_MAX];
	struct store_offer *o;
	struct stat sb;
	int enc;

	if ((o = find_offer(st, offer, err)) == NULL)
		return -1;
	sae_hex(hex, sha256, 32);
	for (enc = STORE_RAW; enc <= STORE_ZSTD; enc++) {
		if (obj_path(o, hex, enc, path, err) == -1)
			return -1;
		if (lstat(path, &sb) == 0) {
			out->encoding = enc;
			out->stored_size = (uint64_t)sb.st_size;
			return 0;
		}
		if (errno != ENOENT)
			return sae_err_sys(err, SAE_EIO, "cannot stat '%s'",
			    path);
	}
	return not_found(o, hex, err);
}

int
store_verify(struct store *st, const char *offer,
    const unsigned char sha256[32], struct digest_result *digests,
    struct sae_err *err)
{
	struct store_reader *r;
	unsigned char *buf;
	ssize_t n;

	if (reader_open(&r, st, offer, sha256, DIGEST_MASK(DIGEST_SHA512),
	    err) == -1)
		return -1;
	buf = sae_xmalloc(IO_SIZE);
	while ((n = store_reader_read(r, buf, IO_SIZE, err)) > 0)
		;
	if (n == 0 && digests != NULL)
		*digests = r->res;
	free(buf);
	store_reader_free(r);
	return n == 0 ? 0 : -1;
}

int
store_delete(struct store *st, const char *offer,
    const unsigned char sha256[32], struct sae_err *err)
{
	char hex[HEX_LEN + 1], dir[PATH_MAX], path[PATH_MAX];
	struct store_offer *o;
	int enc;

	if ((o = find_offer(st, offer, err)) == NULL)
		return -1;
	sae_hex(hex, sha256, 32);
	if (fan_path(o, hex, dir, err) == -1)
		return -1;
	for (enc = STORE_RAW; enc <= STORE_ZSTD; enc++) {
		if (obj_path(o, hex, enc, path, err) == -1)
			return -1;
		if (unlink(path) == -1 && errno != ENOENT)
			return sae_err_sys(err, SAE_EIO, "cannot delete '%s'",
			    path);
	}
	if (sae_fs_exists(dir) && sae_fs_fsync_dir(dir, err) == -1)
		return -1;
	/* Destruction is certified to archivists: check, do not assume. */
	for (enc = STORE_RAW; enc <= STORE_ZSTD; enc++) {
		if (obj_path(o, hex, enc, path, err) == -1)
			return -1;
		if (sae_fs_exists(path))
			return sae_err_set(err, SAE_EIO,
			    "object %s is still on storage offer '%s' after "
			    "deletion", hex, o->name);
	}
	return 0;
}

int
store_copy(struct store *st, const char *from, const char *to,
    const unsigned char sha256[32], struct sae_err *err)
{
	struct store_writer *w = NULL;
	struct store_reader *r = NULL;
	struct digest_result res;
	struct sae_err verr;
	unsigned char *buf = NULL;
	int ret = -1, heal = 0;
	ssize_t n;

	if (find_offer(st, from, err) == NULL ||
	    find_offer(st, to, err) == NULL)
		return -1;
	if (strcmp(from, to) == 0)
		return sae_err_set(err, SAE_EINVAL,
		    "cannot copy an object from storage offer '%s' onto "
		    "itself", from);
	/* A sound copy already there is enough; a corrupt one is replaced. */
	if (store_verify(st, to, sha256, NULL, &verr) == 0)
		return 0;
	if (verr.code == SAE_ECORRUPT)
		heal = 1;
	else if (verr.code != SAE_ENOTFOUND) {
		if (err != NULL)
			*err = verr;
		return -1;
	}
	if (store_reader_open(&r, st, from, sha256, err) == -1 ||
	    store_writer_new(&w, st, to, 0, err) == -1)
		goto out;
	buf = sae_xmalloc(IO_SIZE);
	while ((n = store_reader_read(r, buf, IO_SIZE, err)) > 0)
		if (store_writer_write(w, buf, (size_t)n, err) == -1)
			goto out;
	if (n == -1 || store_writer_finish(w, &res, NULL, err) == -1)
		goto out;
	if (memcmp(res.value[DIGEST_SHA256], sha256, 32) != 0) {
		sae_err_set(err, SAE_EINTERNAL, "copy of object %s to storage "
		    "offer '%s' does not match its name", w->hex, to);
		goto out;
	}
	/* Only now that a sound copy is ready: drop the corrupt one. */
	if (heal && store_delete(st, to, sha256, err) == -1)
		goto out;
	if (store_writer_commit(w, err) == -1 ||
	    store_verify(st, to, sha256, NULL, err) == -1)
		goto out;
	ret = 0;
out:
	free(buf);
	store_writer_free(w);
	store_reader_free(r);
	return ret;
}

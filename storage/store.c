/*
 * store.c: the content-addressed object store on local offers: writers
 * that hash (big objects on a thread of their own), compress when it pays
 * and commit crash-safely to several offers at once, readers that check
 * the digest, verify, stat, delete and copy between offers.
 * Touches only the offers' directories (objects/ and tmp/); never logs.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
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
	pthread_rwlock_t	 contents;	/* store_lock_shared/exclusive */
};

enum wstate { W_OPEN, W_FINISHED, W_COMMITTED, W_FAILED };

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
open_offer(struct store_offer *o, int clean, struct sae_err *err)
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
	return clean ? clean_tmp(o, tmp, err) : 0;
}

static int
open_store(struct store **out, const struct store_offer_conf *conf, size_t n,
    int clean, struct sae_err *err)
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
	pthread_rwlock_init(&st->contents, NULL);
	st->offers = sae_xcalloc(n, sizeof(*st->offers));
	for (i = 0; i < n; i++) {
		st->offers[i].name = sae_xstrdup(conf[i].name);
		st->offers[i].root = sae_xstrdup(conf[i].path);
		st->offers[i].sovereign = conf[i].sovereign != 0;
		pthread_mutex_init(&st->offers[i].lock, NULL);
		st->noffers++;
		if (open_offer(&st->offers[i], clean, err) == -1) {
			store_free(st);
			return -1;
		}
	}
	*out = st;
	return 0;
}

int
store_open(struct store **out, const struct store_offer_conf *conf, size_t n,
    struct sae_err *err)
{
	return open_store(out, conf, n, 1, err);
}

int
store_open_shared(struct store **out, const struct store_offer_conf *conf,
    size_t n, struct sae_err *err)
{
	return open_store(out, conf, n, 0, err);
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
	pthread_rwlock_destroy(&st->contents);
	free(st);
}

void
store_lock_shared(struct store *st)
{
	pthread_rwlock_rdlock(&st->contents);
}

void
store_lock_exclusive(struct store *st)
{
	pthread_rwlock_wrlock(&st->contents);
}

void
store_unlock(struct store *st)
{
	pthread_rwlock_unlock(&st->contents);
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

/*
 * A writer copies what it is given into chunks of CHUNK_SIZE bytes.  A
 * chunk is hashed and written out (to every offer) only once it is full
 * and more bytes come, or at the end, so an object that fits in one chunk
 * is hashed and written on the caller's thread alone.  From the second
 * chunk on, hashing threads of the writer compute the digests while the
 * caller's thread compresses and writes the same chunk: SHA-512 (the
 * slowest, about twice SHA-256's time) on one, every other digest on
 * another, so that neither hashing nor the kernel's copy into the page
 * cache is alone on the critical path.  A stored-as-is object has the same
 * bytes on every offer: each offer is then written by a thread of its own
 * from the same ring (O_DIRECT, below), while the caller fills the next
 * chunk; a compressed one is written by the caller as it compresses.
 * The chunks form a ring of NCHUNKS buffers, so memory stays bounded and
 * the caller waits when the slowest worker is NCHUNKS - 1 chunks behind.
 */
#define CHUNK_SIZE	(1024 * 1024)
#define NCHUNKS		4
#define NHASHERS	2
#define NWORKERS	(NHASHERS + 3)	/* offers beyond: the caller's */

/*
 * Writeback of a big temp file is started every WB_STEP bytes rather than
 * left to its fsync: the disk then works while the rest of the object is
 * hashed and written, and the fsync that makes the object durable (it
 * still does) only waits for the tail.
 */
#define WB_STEP		(8 * 1024 * 1024)

/*
 * An object stored as is and larger than a chunk is written with
 * O_DIRECT: its bytes go from the ring to the disk without a copy into
 * the page cache, which on this kind of machine cost as much CPU as the
 * SHA-256 (an archive is written once and not read back soon).  Whole
 * chunks are aligned in memory, in length and in the file; the tail, and
 * any file system that refuses O_DIRECT, are written through the cache.
 * The fsync before the rename stays: it also makes the size durable.
 */
#define DIRECT_ALIGN	4096

struct hasher;
struct wtarget;

/* A thread of the ring: it hashes chunks, or writes them to one offer. */
struct hworker {
	struct hasher		*h;
	pthread_t		 thread;
	struct digest_set	*ds;	/* its part of the writer's digests */
	struct wtarget		*t;	/* or the temp file it writes */
	int			 wr_errno;	/* its first failed write */
	uint64_t		 hashed;	/* chunks done */
};

struct hasher {
	pthread_mutex_t		 lock;
	pthread_cond_t		 more;	/* a chunk was queued, or the end */
	pthread_cond_t		 done;	/* a chunk was hashed */
	struct hworker		 wk[NWORKERS];
	size_t			 nwk;	/* started */
	struct digest_set	*ds;	/* the writer's, ours until joined */
	unsigned char		*buf[NCHUNKS];	/* chunk k: buf[k % NCHUNKS] */
	size_t			 len[NCHUNKS];
	uint64_t		 queued;	/* chunks handed over */
	int			 end;	/* no more chunks will come */
};

/* One temp file per offer. */
struct wtarget {
	struct store_offer	*offer;
	int			 fd;
	int			 done;	/* renamed, or dropped: a duplicate */
	char			*tmp;	/* sized to its path: a package may keep
					 * 100 000 writers until its commit */
	size_t			 tmpsize;
	uint64_t		 written;	/* bytes in the temp file */
	uint64_t		 kicked;	/* writeback started up to here */
	int			 offloaded;	/* written by a worker */
	int			 direct;	/* O_DIRECT is set on fd */
};

struct store_writer {
	struct wtarget		*t;
	size_t			 nt;
	enum wstate		 state;
	struct digest_set	*ds;
	int			 decided;	/* encoding chosen */
	enum store_encoding	 enc;
	struct zstd_stream_enc	*z;
	unsigned char		*cur;	/* the chunk being filled */
	size_t			 curlen;
	size_t			 curcap;	/* grows to CHUNK_SIZE */
	struct hasher		*h;	/* from the second chunk on */
	int			 inline_hash;	/* no thread could start */
	uint64_t		 size;
	char			 hex[HEX_LEN + 1];
};

/* Counts ${n} bytes written to ${t} and starts their writeback early. */
static void
target_written(struct wtarget *t, size_t n)
{
	t->written += n;
	if (t->written - t->kicked >= WB_STEP) {
		/* Only a head start: failures are the fsync's to see. */
		(void)sync_file_range(t->fd, (off_t)t->kicked,
		    (off_t)(t->written - t->kicked), SYNC_FILE_RANGE_WRITE);
		t->kicked = t->written;
	}
}

static void
direct_set(struct wtarget *t, int on)
{
	int fl = fcntl(t->fd, F_GETFL);

	if (fl != -1 && fcntl(t->fd, F_SETFL, on ? fl | O_DIRECT :
	    fl & ~O_DIRECT) == 0)
		t->direct = on;
}

/* A chunk buffer, aligned for O_DIRECT. */
static unsigned char *
chunk_alloc(void)
{
	void *p;

	if (posix_memalign(&p, DIRECT_ALIGN, CHUNK_SIZE) != 0)
		abort();	/* as sae_xmalloc does */
	return p;
}

/* Writes ${n} bytes to ${t}: -1 with errno set on failure. */
static int
target_write(struct wtarget *t, const void *p, size_t n)
{
	if (t->direct && (n % DIRECT_ALIGN != 0 ||
	    (uintptr_t)p % DIRECT_ALIGN != 0))
		direct_set(t, 0);
	if (sae_fs_write_all(t->fd, p, n) == -1) {
		if (!t->direct || errno != EINVAL)
			return -1;
		/* Refused by the file system: again from where this write
		 * began, through the cache (a part may be written: the same
		 * bytes at the same place). */
		direct_set(t, 0);
		if (t->direct || lseek(t->fd, (off_t)t->written, SEEK_SET) ==
		    -1 || sae_fs_write_all(t->fd, p, n) == -1)
			return -1;
	}
	target_written(t, n);
	return 0;
}

static void *
hasher_main(void *arg)
{
	struct hworker *wk = arg;
	struct hasher *h = wk->h;
	size_t i;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (wk->hashed == h->queued && !h->end)
			pthread_cond_wait(&h->more, &h->lock);
		if (wk->hashed == h->queued)
			break;
		i = (size_t)(wk->hashed % NCHUNKS);
		/* The writer leaves buf[i] alone until every worker is past. */
		pthread_mutex_unlock(&h->lock);
		if (wk->t == NULL)
			digest_set_update(wk->ds, h->buf[i], h->len[i]);
		else if (wk->wr_errno == 0) {
			/* After a failure, keep only up with the ring. */
			if (target_write(wk->t, h->buf[i], h->len[i]) == -1)
				wk->wr_errno = errno != 0 ? errno : EIO;
		}
		pthread_mutex_lock(&h->lock);
		wk->hashed++;
		pthread_cond_broadcast(&h->done);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* Chunks every worker has hashed; under h->lock. */
static uint64_t
hasher_hashed(const struct hasher *h)
{
	uint64_t min = h->queued;
	size_t k;

	for (k = 0; k < h->nwk; k++)
		if (h->wk[k].hashed < min)
			min = h->wk[k].hashed;
	return min;
}

/* Joins the started workers and gives their digests back to h->ds. */
static void
hasher_join(struct hasher *h)
{
	size_t k;

	pthread_mutex_lock(&h->lock);
	h->end = 1;
	pthread_cond_broadcast(&h->more);
	pthread_mutex_unlock(&h->lock);
	for (k = 0; k < h->nwk; k++)
		pthread_join(h->wk[k].thread, NULL);
	for (k = 1; k < NHASHERS; k++) {
		digest_set_merge(h->ds, h->wk[k].ds);
		h->wk[k].ds = NULL;
	}
}

/* The first failed write of an offer's worker, or 0. */
static int
hasher_wr_errno(const struct hasher *h, const struct wtarget *t)
{
	size_t k;

	for (k = NHASHERS; k < h->nwk; k++)
		if (h->wk[k].t == t)
			return h->wk[k].wr_errno;
	return 0;
}

/*
 * Starts the threads of ${w}'s ring with its chunk being filled as chunk 0
 * (the hasher then owns it): the hashers, and a writer for every offer
 * after the first when the object is stored as is.  NULL if not all of
 * them can be had: the caller then hashes and writes by itself.
 */
static struct hasher *
hasher_new(struct store_writer *w)
{
	struct digest_set *ds = w->ds;
	size_t k, nwk = NHASHERS;
	sigset_t all, old;
	struct hasher *h;

	h = sae_xcalloc(1, sizeof(*h));
	h->ds = ds;
	h->buf[0] = w->cur;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->more, NULL);
	pthread_cond_init(&h->done, NULL);
	h->wk[0].ds = ds;
	h->wk[1].ds = digest_set_split(ds, DIGEST_MASK(DIGEST_SHA512));
	/* Stored as is, every offer is written by a worker of its own: with
	 * O_DIRECT a write waits for the disk, and the caller goes on
	 * filling chunks meanwhile. */
	if (w->enc == STORE_RAW)
		for (k = 0; k < w->nt && nwk < NWORKERS; k++)
			h->wk[nwk++].t = &w->t[k];
	/*
	 * Signals are for the daemon's own threads, not for these; faults
	 * stay deliverable so that a crash here is reported as one.
	 */
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGABRT);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (k = 0; k < nwk; k++) {
		h->wk[k].h = h;
		if (pthread_create(&h->wk[k].thread, NULL, hasher_main,
		    &h->wk[k]) != 0)
			break;
		h->nwk++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (h->nwk == nwk) {
		for (k = NHASHERS; k < nwk; k++)
			h->wk[k].t->offloaded = 1;
		return h;
	}
	/* Not all could start: join those that did, and hash inline. */
	hasher_join(h);
	pthread_cond_destroy(&h->done);
	pthread_cond_destroy(&h->more);
	pthread_mutex_destroy(&h->lock);
	free(h);
	return NULL;
}

/* Hands the chunk being filled (${len} bytes) to the hashers. */
static void
hasher_queue(struct hasher *h, size_t len)
{
	pthread_mutex_lock(&h->lock);
	h->len[h->queued % NCHUNKS] = len;
	h->queued++;
	pthread_cond_broadcast(&h->more);
	pthread_mutex_unlock(&h->lock);
}

/* The buffer of the next chunk, once every hasher is done with it. */
static unsigned char *
hasher_next(struct hasher *h)
{
	size_t i = (size_t)(h->queued % NCHUNKS);

	/* Only this thread writes buf[] and queued: no lock to read them. */
	if (h->buf[i] == NULL) {
		h->buf[i] = chunk_alloc();
		return h->buf[i];
	}
	pthread_mutex_lock(&h->lock);
	while (hasher_hashed(h) + NCHUNKS <= h->queued)
		pthread_cond_wait(&h->done, &h->lock);
	pthread_mutex_unlock(&h->lock);
	return h->buf[i];
}

/*
 * Lets the hashers finish what was queued, joins them and gives the
 * writer's digest set back whole; NULL-safe.
 */
static void
hasher_free(struct hasher *h)
{
	size_t i;

	if (h == NULL)
		return;
	hasher_join(h);
	for (i = 0; i < NCHUNKS; i++)
		free(h->buf[i]);
	pthread_cond_destroy(&h->done);
	pthread_cond_destroy(&h->more);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

/* The sink of encoded bytes: every temp file gets the same ones. */
static int
tmp_write(void *arg, const void *p, size_t n, struct sae_err *err)
{
	struct store_writer *w = arg;
	size_t i;

	for (i = 0; i < w->nt; i++) {
		struct wtarget *t = &w->t[i];

		if (t->offloaded)
			continue;
		if (target_write(t, p, n) == -1)
			return sae_err_sys(err, SAE_EIO,
			    "cannot write temp file '%s'", t->tmp);
	}
	return 0;
}

static int
tmp_open(struct wtarget *t, struct sae_err *err)
{
	struct store_offer *o = t->offer;
	unsigned char rnd[16];
	char hex[33];
	int tries;

	if (t->tmp == NULL) {
		t->tmpsize = strlen(o->root) + sizeof("/tmp/") + 2 * sizeof(rnd);
		t->tmp = sae_xmalloc(t->tmpsize);
	}
	for (tries = 0; tries < 8 && t->fd == -1; tries++) {
		/* An empty name tells _free there is nothing of ours. */
		t->tmp[0] = '\0';
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return sae_err_sys(err, SAE_EIO,
			    "cannot name a temp file on storage offer '%s'",
			    o->name);
		sae_hex(hex, rnd, sizeof(rnd));
		if (sae_path(t->tmp, t->tmpsize, "%s/tmp/%s", o->root,
		    hex) == -1) {
			t->tmp[0] = '\0';
			return too_long(o, err);
		}
		t->fd = open(t->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, 0640);
		if (t->fd == -1 && errno != EEXIST) {
			sae_err_sys(err, SAE_EIO,
			    "cannot create temp file '%s'", t->tmp);
			t->tmp[0] = '\0';
			return -1;
		}
	}
	if (t->fd == -1) {
		t->tmp[0] = '\0';
		return sae_err_set(err, SAE_EIO, "cannot create a temp file on "
		    "storage offer '%s': every name tried exists", o->name);
	}
	return 0;
}

int
store_writer_new(struct store_writer **out, struct store *st,
    const char *const *offers, size_t noffers, unsigned mask,
    struct sae_err *err)
{
	struct store_writer *w;
	struct store_offer *o;
	size_t i, j;

	*out = NULL;
	if (noffers == 0)
		return sae_err_set(err, SAE_EINVAL,
		    "an object must be written to at least one storage offer");
	for (i = 0; i < noffers; i++) {
		if ((o = find_offer(st, offers[i], err)) == NULL)
			return -1;
		for (j = 0; j < i; j++)
			if (strcmp(offers[i], offers[j]) == 0)
				return sae_err_set(err, SAE_EINVAL,
				    "storage offer '%s' is listed twice for "
				    "one object", offers[i]);
	}
	w = sae_xcalloc(1, sizeof(*w));
	w->t = sae_xcalloc(noffers, sizeof(*w->t));
	for (i = 0; i < noffers; i++) {
		w->t[i].offer = find_offer(st, offers[i], NULL);
		w->t[i].fd = -1;
	}
	w->nt = noffers;
	for (i = 0; i < noffers; i++)
		if (tmp_open(&w->t[i], err) == -1) {
			store_writer_free(w);
			return -1;
		}
	w->ds = digest_set_new(mask | DIGEST_MASK(DIGEST_SHA256) |
	    DIGEST_MASK(DIGEST_SHA512));
	/* Most objects are small: grow to a whole chunk only when needed. */
	w->curcap = SAMPLE_SIZE;
	w->cur = sae_xmalloc(w->curcap);
	*out = w;
	return 0;
}

/*
 * Chooses the encoding from the first SAMPLE_SIZE bytes (or the whole
 * object when it is smaller), so that identical contents always get
 * identical files.  zstd must save at least a tenth to be worth a
 * decompression on reading.  When the sample is the whole object, a frame
 * that pays is written as is and ${*written} set.
 */
static int
decide(struct store_writer *w, const unsigned char *p, size_t n,
    int *written, struct sae_err *err)
{
	size_t sample = n < SAMPLE_SIZE ? n : SAMPLE_SIZE;
	size_t room = sample - sample / 10, zlen;
	unsigned char *trial;
	int ret = 0;

	w->decided = 1;
	*written = 0;
	trial = sae_xmalloc(room > 0 ? room : 1);
	zlen = room > 0 ? zstd_stream_trial(ZSTD_LEVEL, p, sample, trial,
	    room) : 0;
	if (zlen == 0)
		w->enc = STORE_RAW;
	else if (n <= SAMPLE_SIZE) {
		w->enc = STORE_ZSTD;
		*written = 1;
		ret = tmp_write(w, trial, zlen, err);
	} else {
		w->enc = STORE_ZSTD;
		w->z = zstd_stream_enc_new(ZSTD_LEVEL, tmp_write, w);
	}
	free(trial);
	return ret;
}

/* Encodes ${n} bytes (a whole chunk, or the last one) to every temp file. */
static int
emit(struct store_writer *w, const unsigned char *p, size_t n,
    struct sae_err *err)
{
	int written;

	if (!w->decided) {
		if (decide(w, p, n, &written, err) == -1)
			return -1;
		if (written)
			return 0;
	}
	if (w->enc == STORE_ZSTD)
		return zstd_stream_enc_write(w->z, p, n, err);
	return tmp_write(w, p, n, err);
}

/* Hashes and writes out the chunk being filled; ${last}: it ends the object. */
static int
flush_chunk(struct store_writer *w, int last, struct sae_err *err)
{
	int written;
	size_t i;

	if (w->h == NULL && !last && !w->inline_hash) {
		/*
		 * The offers' writers need the encoding before chunk 0.  A
		 * full chunk is more than the sample: decide writes nothing.
		 */
		if (!w->decided && decide(w, w->cur, w->curlen, &written,
		    err) == -1)
			return -1;
		if ((w->h = hasher_new(w)) == NULL)
			w->inline_hash = 1;
		if (w->enc == STORE_RAW)
			for (i = 0; i < w->nt; i++)
				direct_set(&w->t[i], 1);
	}
	if (w->h != NULL)
		hasher_queue(w->h, w->curlen);
	else
		digest_set_update(w->ds, w->cur, w->curlen);
	if (emit(w, w->cur, w->curlen, err) == -1)
		return -1;
	w->curlen = 0;
	if (w->h != NULL && !last)
		w->cur = hasher_next(w->h);
	return 0;
}

int
store_writer_write(struct store_writer *w, const void *p, size_t n,
    struct sae_err *err)
{
	const unsigned char *c = p;
	size_t take;

	if (w->state != W_OPEN)
		return sae_err_set(err, SAE_EINTERNAL, "write to a stored "
		    "object after it was ended or failed");
	w->size += n;
	while (n > 0) {
		if (w->curlen == w->curcap) {
			if (w->curcap < CHUNK_SIZE) {
				unsigned char *grown = chunk_alloc();

				memcpy(grown, w->cur, w->curlen);
				free(w->cur);
				w->cur = grown;
				w->curcap = CHUNK_SIZE;
			} else if (flush_chunk(w, 0, err) == -1) {
				/* What follows the failed chunk is lost. */
				w->state = W_FAILED;
				return -1;
			}
		}
		take = w->curcap - w->curlen;
		if (take > n)
			take = n;
		memcpy(w->cur + w->curlen, c, take);
		w->curlen += take;
		c += take;
		n -= take;
	}
	return 0;
}

int
store_writer_finish(struct store_writer *w, struct digest_result *digests,
    uint64_t *size, struct sae_err *err)
{
	struct digest_result res;
	size_t i;
	int pass;

	if (w->state != W_OPEN)
		return sae_err_set(err, SAE_EINTERNAL, "a stored object was "
		    "ended twice, or after it failed");
	w->state = W_FAILED;
	if (flush_chunk(w, 1, err) == -1)
		return -1;
	if (w->z != NULL && zstd_stream_enc_end(w->z, err) == -1)
		return -1;
	/*
	 * The ring's threads, if any, catch up meanwhile; the offers they
	 * write are synced once they are joined.
	 */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1 && w->h != NULL) {
			for (i = 0; i < w->nt; i++)
				if (w->t[i].offloaded &&
				    (errno = hasher_wr_errno(w->h,
				    &w->t[i])) != 0)
					return sae_err_sys(err, SAE_EIO,
					    "cannot write temp file '%s'",
					    w->t[i].tmp);
			hasher_free(w->h);	/* joined: w->ds is ours again */
			w->h = NULL;
			w->cur = NULL;
		}
		for (i = 0; i < w->nt; i++) {
			if (w->t[i].offloaded != pass)
				continue;
			if (fsync(w->t[i].fd) == -1)
				return sae_err_sys(err, SAE_EIO,
				    "cannot sync temp file '%s'", w->t[i].tmp);
			if (close(w->t[i].fd) == -1) {
				w->t[i].fd = -1;
				return sae_err_sys(err, SAE_EIO,
				    "cannot close temp file '%s'", w->t[i].tmp);
			}
			w->t[i].fd = -1;
		}
	}
	zstd_stream_enc_free(w->z);
	w->z = NULL;
	if (w->h != NULL) {
		hasher_free(w->h);	/* joined: w->ds is ours again */
		w->h = NULL;
	} else
		free(w->cur);
	w->cur = NULL;
	digest_set_final(w->ds, &res);
	/* A package may hold 100 000 files, all finished before the first
	 * commit: keep nothing per writer that is not needed any more. */
	digest_set_free(w->ds);
	w->ds = NULL;
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

/*
 * Moves one temp file into place.  ${*renamed} is set when it was renamed
 * rather than dropped; ${*first} is cleared at the first rename so that
 * the crash point runs before any offer changes.
 */
static int
commit_one(struct store_writer *w, struct wtarget *t, int *first,
    int *renamed, struct sae_err *err)
{
	char dir[PATH_MAX], dst[PATH_MAX], other[PATH_MAX];
	struct store_offer *o = t->offer;

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
		if (unlink(t->tmp) == -1 && errno != ENOENT)
			return sae_err_sys(err, SAE_EIO,
			    "cannot remove temp file '%s'", t->tmp);
		t->done = 1;
		return sae_fs_fsync_dir(dir, err);
	}
	if (*first) {
		sae_crashpoint("store-before-rename");
		*first = 0;
	}
	/*
	 * Two writers of one content may both get here: the second rename
	 * replaces a file with the same bytes, which is harmless.
	 */
	if (rename(t->tmp, dst) == -1)
		return sae_err_sys(err, SAE_EIO, "cannot rename '%s' to '%s'",
		    t->tmp, dst);
	t->done = 1;
	*renamed = 1;
	return sae_fs_fsync_dir(dir, err);
}

int
store_writer_commit(struct store_writer *w, struct sae_err *err)
{
	int first = 1, renamed = 0;
	size_t i;

	if (w->state != W_FINISHED)
		return sae_err_set(err, SAE_EINTERNAL,
		    "a stored object was committed before it was ended");
	/* A failure half-way leaves the other temp files to _free. */
	w->state = W_FAILED;
	for (i = 0; i < w->nt; i++)
		if (commit_one(w, &w->t[i], &first, &renamed, err) == -1)
			return -1;
	w->state = W_COMMITTED;
	if (renamed)
		sae_crashpoint("store-after-rename");
	return 0;
}

void
store_writer_free(struct store_writer *w)
{
	size_t i;

	if (w == NULL)
		return;
	/* Join first: a worker may still read a chunk or write an offer. */
	if (w->h != NULL)
		hasher_free(w->h);
	else
		free(w->cur);
	for (i = 0; i < w->nt; i++) {
		if (w->t[i].fd != -1)
			close(w->t[i].fd);
		if (!w->t[i].done && w->t[i].tmp != NULL &&
		    w->t[i].tmp[0] != '\0')
			unlink(w->t[i].tmp);
		free(w->t[i].tmp);
	}
	zstd_stream_enc_free(w->z);
	digest_set_free(w->ds);
	free(w->t);
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

	/* SHA-512 only when asked for: an audit reads terabytes. */
	if (reader_open(&r, st, offer, sha256, digests != NULL ?
	    DIGEST_MASK(DIGEST_SHA512) : 0, err) == -1)
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
	    store_writer_new(&w, st, &to, 1, 0, err) == -1)
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

/*
 * test_store.c: storage/store.c on real directories: roundtrips raw and
 * zstd, large streams, duplicates, corruption, deletion, copies between
 * offers, writers to several offers at once (and their hashing thread),
 * temp-file hygiene and the crash points.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sae/buf.h"
#include "sae/fsutil.h"
#include "storage/digest.h"
#include "storage/store.h"
#include "tests/unit/helpers.h"

struct fx {
	char		 local[PATH_MAX];	/* sovereign offer */
	char		 cloud[PATH_MAX];
	struct store	*st;
};

static int
open_store(struct fx *fx, struct store **st)
{
	struct store_offer_conf conf[] = {
		{ "local", fx->local, 1 },
		{ "cloud", fx->cloud, 0 },
	};
	struct sae_err err;

	if (store_open(st, conf, 2, &err) == -1) {
		fprintf(stderr, "# %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	const char *dir = th_tmpdir();

	if (fx == NULL ||
	    sae_path(fx->local, sizeof(fx->local), "%s/local", dir) == -1 ||
	    sae_path(fx->cloud, sizeof(fx->cloud), "%s/cloud", dir) == -1 ||
	    open_store(fx, &fx->st) == -1)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	store_free(fx->st);
	free(fx);
	return 0;
}

/* ------------------------------------------------------------ helpers */

static const char *const LOCAL[] = { "local" };
static const char *const BOTH[] = { "local", "cloud" };
static const char *const NOWHERE[] = { "nowhere" };

static uint64_t
prng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
fill_random(unsigned char *p, size_t n, uint64_t *s)
{
	uint64_t v;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		v = prng(s);
		memcpy(p + i, &v, 8);
	}
	for (v = prng(s); i < n; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

static unsigned char *
random_bytes(size_t n, uint64_t seed)
{
	unsigned char *p = malloc(n ? n : 1);

	assert_non_null(p);
	fill_random(p, n, &seed);
	return p;
}

/* Text that compresses well but is not one repeated line. */
static unsigned char *
text_bytes(size_t n)
{
	struct sae_buf b = SAE_BUF_INIT;
	int i;

	for (i = 0; b.len < n; i++)
		sae_buf_printf(&b, "%06d;Délibération du conseil municipal;"
		    "DUA %d ans;sort final %s\n", i, i % 50,
		    i % 3 ? "Détruire" : "Conserver");
	b.len = n;
	return (unsigned char *)b.data;
}

/* Writes ${p} in uneven pieces, commits; fills ${sha} and ${res}. */
static void
put(struct store *st, const char *offer, const void *p, size_t n,
    unsigned char sha[32], struct digest_result *res)
{
	struct digest_result tmp;
	struct store_writer *w;
	struct sae_err err;
	size_t off = 0, step = 1000;
	uint64_t size;

	assert_int_equal(store_writer_new(&w, st, &offer, 1, 0, &err), 0);
	while (off < n) {
		if (step > n - off)
			step = n - off;
		assert_int_equal(store_writer_write(w, (const char *)p + off,
		    step, &err), 0);
		off += step;
		step = step * 3 + 17;
	}
	assert_int_equal(store_writer_finish(w, &tmp, &size, &err), 0);
	assert_int_equal(size, n);
	assert_int_equal(store_writer_commit(w, &err), 0);
	store_writer_free(w);
	memcpy(sha, tmp.value[DIGEST_SHA256], 32);
	if (res != NULL)
		*res = tmp;
}

/* Reads the object back; returns the last store_reader_read result. */
static ssize_t
get(struct store *st, const char *offer, const unsigned char sha[32],
    struct sae_buf *out, struct sae_err *err)
{
	struct store_reader *r;
	char chunk[7000];
	ssize_t n;

	if (store_reader_open(&r, st, offer, sha, err) == -1)
		return -1;
	while ((n = store_reader_read(r, chunk, sizeof(chunk), err)) > 0)
		sae_buf_add(out, chunk, (size_t)n);
	store_reader_free(r);
	return n;
}

static void
obj_file(char *out, const char *root, const unsigned char sha[32],
    const char *ext)
{
	char hex[65];

	sae_hex(hex, sha, 32);
	assert_int_equal(sae_path(out, PATH_MAX, "%s/objects/%.2s/%s%s", root,
	    hex, hex, ext), 0);
}

/* Regular files under ${root}/${sub}, counted recursively. */
static int
count_files(const char *root, const char *sub)
{
	char path[PATH_MAX], child[PATH_MAX];
	struct dirent *de;
	struct stat sb;
	int n = 0;
	DIR *d;

	assert_int_equal(sae_path(path, sizeof(path), "%s/%s", root, sub), 0);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		assert_int_equal(sae_path(child, sizeof(child), "%s/%s", sub,
		    de->d_name), 0);
		assert_int_equal(sae_path(path, sizeof(path), "%s/%s", root,
		    child), 0);
		assert_int_equal(lstat(path, &sb), 0);
		if (S_ISDIR(sb.st_mode))
			n += count_files(root, child);
		else
			n++;
	}
	closedir(d);
	return n;
}

static void
flip_byte(const char *path, off_t off)
{
	unsigned char c;
	int fd;

	assert_true((fd = open(path, O_RDWR)) != -1);
	assert_int_equal(pread(fd, &c, 1, off), 1);
	c ^= 0x5a;
	assert_int_equal(pwrite(fd, &c, 1, off), 1);
	close(fd);
}

static off_t
file_size(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_size;
}

static void
check_roundtrip(struct fx *fx, const unsigned char *p, size_t n,
    enum store_encoding want)
{
	unsigned char sha[32], want256[32], want512[64];
	struct sae_buf b = SAE_BUF_INIT;
	struct digest_result res, vres;
	struct store_stat ss;
	struct sae_err err;
	char path[PATH_MAX];

	put(fx->st, "local", p, n, sha, &res);
	digest_buf(DIGEST_SHA512, p, n, want512);
	assert_memory_equal(res.value[DIGEST_SHA512], want512, 64);
	digest_buf(DIGEST_SHA256, p, n, want256);
	assert_memory_equal(sha, want256, 32);

	assert_int_equal(store_stat(fx->st, "local", sha, &ss, &err), 0);
	assert_int_equal(ss.encoding, want);
	obj_file(path, fx->local, sha, want == STORE_ZSTD ? ".zst" : "");
	assert_int_equal(file_size(path), ss.stored_size);
	obj_file(path, fx->local, sha, want == STORE_ZSTD ? "" : ".zst");
	assert_false(sae_fs_exists(path));
	if (want == STORE_ZSTD)
		assert_true(ss.stored_size < n / 2);
	else
		assert_int_equal(ss.stored_size, n);

	assert_int_equal(get(fx->st, "local", sha, &b, &err), 0);
	assert_int_equal(b.len, n);
	assert_memory_equal(b.data, p, n);
	sae_buf_done(&b);

	assert_int_equal(store_verify(fx->st, "local", sha, &vres, &err), 0);
	assert_memory_equal(vres.value[DIGEST_SHA512], want512, 64);
	assert_memory_equal(vres.value[DIGEST_SHA256], want256, 32);
}

/* -------------------------------------------------------------- tests */

static void
test_store__roundtrip_compressible(void **state)
{
	unsigned char *small = text_bytes(10000), *big = text_bytes(1 << 20);

	check_roundtrip(*state, small, 10000, STORE_ZSTD);	/* one shot */
	check_roundtrip(*state, big, 1 << 20, STORE_ZSTD);	/* streamed */
	free(small);
	free(big);
}

static void
test_store__roundtrip_incompressible(void **state)
{
	struct fx *fx = *state;
	unsigned char *small = random_bytes(50000, 1),
	    *big = random_bytes(300000, 2), sha[32];
	struct sae_buf b = SAE_BUF_INIT;
	char path[PATH_MAX];

	check_roundtrip(fx, small, 50000, STORE_RAW);
	check_roundtrip(fx, big, 300000, STORE_RAW);
	/* Raw means the file holds the original bytes. */
	digest_buf(DIGEST_SHA256, big, 300000, sha);
	obj_file(path, fx->local, sha, "");
	th_read(path, &b);
	assert_int_equal(b.len, 300000);
	assert_memory_equal(b.data, big, 300000);
	sae_buf_done(&b);
	free(small);
	free(big);
}

static void
test_store__large_streamed(void **state)
{
	struct fx *fx = *state;
	const size_t total = 64u << 20;
	unsigned char *all, *chunk, sha[32], want[32];
	struct store_reader *r;
	struct store_writer *w;
	struct digest_result res;
	struct store_stat ss;
	struct sae_err err;
	uint64_t seed = 42, size;
	size_t off = 0, n;
	ssize_t got;

	chunk = malloc(1 << 20);
	assert_non_null(chunk);
	assert_int_equal(store_writer_new(&w, fx->st, LOCAL, 1,
	    DIGEST_MASK(DIGEST_MD5), &err), 0);
	/* Uneven chunks, generated as they go: the object is never held. */
	while (off < total) {
		n = (1 << 20) - (off % 4093);
		if (n > total - off)
			n = total - off;
		fill_random(chunk, n, &seed);
		assert_int_equal(store_writer_write(w, chunk, n, &err), 0);
		off += n;
	}
	assert_int_equal(store_writer_finish(w, &res, &size, &err), 0);
	assert_int_equal(store_writer_commit(w, &err), 0);
	store_writer_free(w);
	assert_int_equal(size, total);
	assert_true(res.mask & DIGEST_MASK(DIGEST_MD5));

	all = malloc(total);
	assert_non_null(all);
	seed = 42;
	for (off = 0; off < total; off += n) {
		n = (1 << 20) - (off % 4093);
		if (n > total - off)
			n = total - off;
		fill_random(all + off, n, &seed);
	}
	digest_buf(DIGEST_SHA256, all, total, want);
	assert_memory_equal(res.value[DIGEST_SHA256], want, 32);
	memcpy(sha, want, 32);
	assert_int_equal(store_stat(fx->st, "local", sha, &ss, &err), 0);
	assert_int_equal(ss.encoding, STORE_RAW);
	assert_int_equal(ss.stored_size, total);

	assert_int_equal(store_reader_open(&r, fx->st, "local", sha, &err), 0);
	off = 0;
	while ((got = store_reader_read(r, chunk, 1 << 20, &err)) > 0) {
		assert_true(off + (size_t)got <= total);
		assert_memory_equal(chunk, all + off, (size_t)got);
		off += (size_t)got;
	}
	assert_int_equal(got, 0);
	assert_int_equal(off, total);
	store_reader_free(r);
	free(all);
	free(chunk);
}

static void
test_store__empty_object(void **state)
{
	struct fx *fx = *state;
	unsigned char sha[32], want[32];
	struct sae_buf b = SAE_BUF_INIT;
	struct store_stat ss;
	struct sae_err err;

	put(fx->st, "local", "", 0, sha, NULL);
	assert_int_equal(sae_unhex(want, 32, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855"), 32);
	assert_memory_equal(sha, want, 32);
	assert_int_equal(store_stat(fx->st, "local", sha, &ss, &err), 0);
	assert_int_equal(ss.encoding, STORE_RAW);
	assert_int_equal(ss.stored_size, 0);
	assert_int_equal(get(fx->st, "local", sha, &b, &err), 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(store_verify(fx->st, "local", sha, NULL, &err), 0);
}

static void
test_store__duplicate_put_keeps_one(void **state)
{
	struct fx *fx = *state;
	unsigned char *text = text_bytes(200000), *rnd = random_bytes(9000, 7);
	struct store_writer *a, *b;
	struct stat first, again;
	unsigned char sha[32];
	struct sae_err err;
	char path[PATH_MAX];

	/* Two writers of one content, interleaved: both must succeed. */
	assert_int_equal(store_writer_new(&a, fx->st, LOCAL, 1, 0, &err), 0);
	assert_int_equal(store_writer_new(&b, fx->st, LOCAL, 1, 0, &err), 0);
	assert_int_equal(store_writer_write(a, text, 200000, &err), 0);
	assert_int_equal(store_writer_write(b, text, 150000, &err), 0);
	assert_int_equal(store_writer_write(b, text + 150000, 50000, &err), 0);
	assert_int_equal(store_writer_finish(a, NULL, NULL, &err), 0);
	assert_int_equal(store_writer_finish(b, NULL, NULL, &err), 0);
	assert_int_equal(store_writer_commit(b, &err), 0);
	assert_int_equal(store_writer_commit(a, &err), 0);
	store_writer_free(a);
	store_writer_free(b);
	assert_int_equal(count_files(fx->local, "objects"), 1);

	/* The first copy stays in place: same inode after a second put. */
	digest_buf(DIGEST_SHA256, text, 200000, sha);
	obj_file(path, fx->local, sha, ".zst");
	assert_int_equal(stat(path, &first), 0);
	put(fx->st, "local", text, 200000, sha, NULL);
	assert_int_equal(stat(path, &again), 0);
	assert_int_equal(first.st_ino, again.st_ino);
	put(fx->st, "local", rnd, 9000, sha, NULL);
	put(fx->st, "local", rnd, 9000, sha, NULL);
	assert_int_equal(count_files(fx->local, "objects"), 2);
	assert_int_equal(count_files(fx->local, "tmp"), 0);
	assert_int_equal(store_verify(fx->st, "local", sha, NULL, &err), 0);
	free(text);
	free(rnd);
}

struct job {
	struct store	*st;
	int		 id;
	int		 failed;
};

#define NTHREADS	4
#define NPERTHREAD	6

static void *
worker(void *arg)
{
	struct job *j = arg;
	struct store_writer *w;
	struct sae_err err;
	unsigned char *p;
	int i, seed;

	for (i = 0; i < NPERTHREAD; i++) {
		/* Even objects are shared by every thread, odd ones are not. */
		seed = i % 2 ? 1000 + j->id * 100 + i : i + 1;
		p = random_bytes(200000, (uint64_t)seed);
		if (i % 4 == 0)
			memset(p, 'x', 150000);	/* some zstd too */
		if (store_writer_new(&w, j->st, LOCAL, 1, 0, &err) == -1 ||
		    store_writer_write(w, p, 200000, &err) == -1 ||
		    store_writer_finish(w, NULL, NULL, &err) == -1 ||
		    store_writer_commit(w, &err) == -1) {
			fprintf(stderr, "# thread %d: %s\n", j->id, err.msg);
			j->failed = 1;
		}
		store_writer_free(w);
		free(p);
	}
	return NULL;
}

static void
test_store__concurrent_writers(void **state)
{
	struct fx *fx = *state;
	struct job jobs[NTHREADS];
	pthread_t t[NTHREADS];
	int i;

	for (i = 0; i < NTHREADS; i++) {
		jobs[i] = (struct job){ fx->st, i, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, worker, &jobs[i]),
		    0);
	}
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(jobs[i].failed, 0);
	}
	/* 3 shared objects, and 3 of its own per thread. */
	assert_int_equal(count_files(fx->local, "objects"),
	    NPERTHREAD / 2 + NTHREADS * NPERTHREAD / 2);
	assert_int_equal(count_files(fx->local, "tmp"), 0);
}

static void
check_corrupt(struct fx *fx, const unsigned char sha[32])
{
	struct sae_buf b = SAE_BUF_INIT;
	struct sae_err err;
	char hex[65];

	sae_hex(hex, sha, 32);
	sae_err_clear(&err);
	assert_int_equal(get(fx->st, "local", sha, &b, &err), -1);
	assert_int_equal(err.code, SAE_ECORRUPT);
	assert_non_null(strstr(err.msg, hex));
	assert_non_null(strstr(err.msg, "offer 'local' is corrupt"));
	sae_buf_done(&b);
	sae_err_clear(&err);
	assert_int_equal(store_verify(fx->st, "local", sha, NULL, &err), -1);
	assert_int_equal(err.code, SAE_ECORRUPT);
}

static void
test_store__corrupt_raw(void **state)
{
	struct fx *fx = *state;
	unsigned char *p = random_bytes(200000, 3), sha[32];
	struct sae_buf b = SAE_BUF_INIT;
	struct sae_err err;
	char path[PATH_MAX];

	put(fx->st, "local", p, 200000, sha, NULL);
	obj_file(path, fx->local, sha, "");
	flip_byte(path, 123456);
	check_corrupt(fx, sha);
	assert_int_equal(get(fx->st, "local", sha, &b, &err), -1);
	assert_non_null(strstr(err.msg, "(digest mismatch)"));
	sae_buf_done(&b);
	free(p);
}

static void
test_store__corrupt_zstd(void **state)
{
	struct fx *fx = *state;
	unsigned char *p = text_bytes(300000), sha[32];
	struct sae_buf b = SAE_BUF_INIT;
	char path[PATH_MAX];
	off_t size;
	int fd;

	put(fx->st, "local", p, 300000, sha, NULL);
	obj_file(path, fx->local, sha, ".zst");
	size = file_size(path);
	th_read(path, &b);

	flip_byte(path, size / 2);
	check_corrupt(fx, sha);

	/* Truncated frame. */
	th_write(path, b.data, b.len - 10);
	check_corrupt(fx, sha);

	/* Garbage after a sound frame. */
	sae_buf_adds(&b, "junk");
	th_write(path, b.data, b.len);
	check_corrupt(fx, sha);

	/* Empty file. */
	assert_true((fd = open(path, O_WRONLY | O_TRUNC)) != -1);
	close(fd);
	check_corrupt(fx, sha);
	sae_buf_done(&b);
	free(p);
}

static void
test_store__deleted_is_not_found(void **state)
{
	struct fx *fx = *state;
	unsigned char *p = text_bytes(5000), sha[32];
	struct store_reader *r;
	struct store_stat ss;
	struct sae_err err;

	put(fx->st, "local", p, 5000, sha, NULL);
	assert_int_equal(store_stat(fx->st, "local", sha, &ss, &err), 0);
	assert_int_equal(store_delete(fx->st, "local", sha, &err), 0);
	assert_int_equal(count_files(fx->local, "objects"), 0);
	assert_int_equal(store_stat(fx->st, "local", sha, &ss, &err), -1);
	assert_int_equal(err.code, SAE_ENOTFOUND);
	assert_int_equal(store_reader_open(&r, fx->st, "local", sha, &err),
	    -1);
	assert_int_equal(err.code, SAE_ENOTFOUND);
	assert_null(r);
	assert_int_equal(store_verify(fx->st, "local", sha, NULL, &err), -1);
	assert_int_equal(err.code, SAE_ENOTFOUND);
	/* Deleting what is gone succeeds: retries are safe. */
	assert_int_equal(store_delete(fx->st, "local", sha, &err), 0);
	free(p);
}

static void
test_store__copy_to_second_offer(void **state)
{
	struct fx *fx = *state;
	unsigned char *p = text_bytes(400000), *q = random_bytes(70000, 9);
	unsigned char sha[32], shq[32];
	struct sae_buf b = SAE_BUF_INIT;
	struct store_stat ss;
	struct sae_err err;
	char path[PATH_MAX];

	assert_int_equal(store_offer_sovereign(fx->st, "local"), 1);
	assert_int_equal(store_offer_sovereign(fx->st, "cloud"), 0);
	assert_int_equal(store_offer_sovereign(fx->st, "nowhere"), -1);

	put(fx->st, "local", p, 400000, sha, NULL);
	assert_int_equal(store_stat(fx->st, "cloud", sha, &ss, &err), -1);
	assert_int_equal(err.code, SAE_ENOTFOUND);
	assert_int_equal(store_copy(fx->st, "local", "cloud", sha, &err), 0);
	assert_int_equal(store_stat(fx->st, "cloud", sha, &ss, &err), 0);
	assert_int_equal(ss.encoding, STORE_ZSTD);
	assert_int_equal(get(fx->st, "cloud", sha, &b, &err), 0);
	assert_int_equal(b.len, 400000);
	assert_memory_equal(b.data, p, 400000);
	sae_buf_done(&b);
	/* Again: nothing to do. */
	assert_int_equal(store_copy(fx->st, "local", "cloud", sha, &err), 0);
	assert_int_equal(count_files(fx->cloud, "objects"), 1);

	/* A corrupt copy on the target is replaced by a sound one. */
	obj_file(path, fx->cloud, sha, ".zst");
	flip_byte(path, 100);
	assert_int_equal(store_verify(fx->st, "cloud", sha, NULL, &err), -1);
	assert_int_equal(store_copy(fx->st, "local", "cloud", sha, &err), 0);
	assert_int_equal(store_verify(fx->st, "cloud", sha, NULL, &err), 0);

	/* A corrupt source is refused and leaves nothing behind. */
	put(fx->st, "local", q, 70000, shq, NULL);
	obj_file(path, fx->local, shq, "");
	flip_byte(path, 5);
	sae_err_clear(&err);
	assert_int_equal(store_copy(fx->st, "local", "cloud", shq, &err), -1);
	assert_int_equal(err.code, SAE_ECORRUPT);
	assert_int_equal(count_files(fx->cloud, "objects"), 1);
	assert_int_equal(count_files(fx->cloud, "tmp"), 0);

	assert_int_equal(store_copy(fx->st, "local", "local", sha, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_int_equal(store_copy(fx->st, "local", "nowhere", sha, &err),
	    -1);
	assert_int_equal(err.code, SAE_EINVAL);
	free(p);
	free(q);
}

static void
test_store__free_without_commit(void **state)
{
	struct fx *fx = *state;
	unsigned char *p = text_bytes(300000);
	struct store_writer *w;
	struct sae_err err;

	/* Abandoned while writing (past the sample: zstd stream open). */
	assert_int_equal(store_writer_new(&w, fx->st, LOCAL, 1, 0, &err), 0);
	assert_int_equal(store_writer_write(w, p, 300000, &err), 0);
	assert_int_equal(count_files(fx->local, "tmp"), 1);
	store_writer_free(w);
	assert_int_equal(count_files(fx->local, "tmp"), 0);

	/* Abandoned after finish. */
	assert_int_equal(store_writer_new(&w, fx->st, LOCAL, 1, 0, &err), 0);
	assert_int_equal(store_writer_write(w, p, 1000, &err), 0);
	assert_int_equal(store_writer_finish(w, NULL, NULL, &err), 0);
	assert_int_equal(store_writer_write(w, p, 10, &err), -1);
	store_writer_free(w);

	/* Committing before finishing is refused. */
	assert_int_equal(store_writer_new(&w, fx->st, LOCAL, 1, 0, &err), 0);
	assert_int_equal(store_writer_commit(w, &err), -1);
	store_writer_free(w);

	assert_int_equal(count_files(fx->local, "tmp"), 0);
	assert_int_equal(count_files(fx->local, "objects"), 0);
	store_writer_free(NULL);
	free(p);
}

static void
test_store__open_removes_stale_tmp(void **state)
{
	struct fx *fx = *state;
	unsigned char sha[32];
	struct store *st2;
	struct sae_err err;
	char path[PATH_MAX];

	put(fx->st, "local", "kept", 4, sha, NULL);
	assert_int_equal(sae_path(path, sizeof(path), "%s/tmp/0123abcd",
	    fx->local), 0);
	th_write(path, "half an object", 14);
	assert_int_equal(sae_path(path, sizeof(path), "%s/tmp/other",
	    fx->cloud), 0);
	th_write(path, "x", 1);
	assert_int_equal(count_files(fx->local, "tmp"), 1);
	assert_int_equal(open_store(fx, &st2), 0);
	assert_int_equal(count_files(fx->local, "tmp"), 0);
	assert_int_equal(count_files(fx->cloud, "tmp"), 0);
	assert_int_equal(store_verify(st2, "local", sha, NULL, &err), 0);
	store_free(st2);
}

static void
test_store__open_refuses_bad_offers(void **state)
{
	struct fx *fx = *state;
	struct store_offer_conf bad[] = {
		{ "Local", fx->local, 1 },
		{ "ok", fx->local, 1 },
		{ "ok", fx->cloud, 0 },
	};
	struct store_writer *w;
	struct store *st;
	struct sae_err err;

	assert_int_equal(store_open(&st, bad, 1, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_non_null(strstr(err.msg, "'Local'"));
	assert_null(st);
	assert_int_equal(store_open(&st, bad + 1, 2, &err), -1);
	assert_non_null(strstr(err.msg, "twice"));
	assert_int_equal(store_open(&st, bad, 0, &err), -1);
	assert_int_equal(store_writer_new(&w, fx->st, NOWHERE, 1, 0, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_non_null(strstr(err.msg, "'nowhere'"));
}

/* ------------------------------------------------ several offers at once */

/* Threads of this process, from /proc/self/task. */
static int
count_threads(void)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	assert_non_null(d = opendir("/proc/self/task"));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Writes ${p} to ${offers} in pieces of every size; commits. */
static void
put_many(struct store *st, const char *const *offers, size_t noffers,
    unsigned mask, const unsigned char *p, size_t n,
    struct digest_result *res)
{
	static const size_t steps[] = { 1, 4095, 1 << 20, 3 << 20, 70000,
	    (1 << 20) + 1, 13, 2 << 20 };
	struct store_writer *w;
	struct sae_err err;
	size_t off = 0, step, k = 0;
	uint64_t size;

	assert_int_equal(store_writer_new(&w, st, offers, noffers, mask,
	    &err), 0);
	while (off < n) {
		step = steps[k++ % (sizeof(steps) / sizeof(steps[0]))];
		if (step > n - off)
			step = n - off;
		assert_int_equal(store_writer_write(w, p + off, step, &err), 0);
		off += step;
	}
	assert_int_equal(store_writer_finish(w, res, &size, &err), 0);
	assert_int_equal(size, n);
	assert_int_equal(store_writer_commit(w, &err), 0);
	store_writer_free(w);
}

/* Both offers hold the same file for ${sha}, and it verifies on each. */
static void
check_both(struct fx *fx, const unsigned char sha[32], const char *ext)
{
	struct sae_buf a = SAE_BUF_INIT, b = SAE_BUF_INIT;
	struct sae_err err;
	char path[PATH_MAX];

	obj_file(path, fx->local, sha, ext);
	th_read(path, &a);
	obj_file(path, fx->cloud, sha, ext);
	th_read(path, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	assert_int_equal(store_verify(fx->st, "local", sha, NULL, &err), 0);
	assert_int_equal(store_verify(fx->st, "cloud", sha, NULL, &err), 0);
	sae_buf_done(&a);
	sae_buf_done(&b);
}

static void
test_store__two_offers_identical(void **state)
{
	struct fx *fx = *state;
	/* The last one passes a writeback step (8 MiB) on each offer. */
	const size_t sizes[] = { 0, 5000, SIZE_MAX, 1 << 20, (1 << 20) + 1,
	    (5 << 20) + 333, (9 << 20) + 7 };
	struct digest_result res;
	unsigned char *p, want[32];
	size_t i, n;
	int text;

	for (i = 0; i < 2 * sizeof(sizes) / sizeof(sizes[0]); i++) {
		text = i % 2;
		n = sizes[i / 2] == SIZE_MAX ? 128 * 1024 : sizes[i / 2];
		p = text ? text_bytes(n) : random_bytes(n, i);
		put_many(fx->st, BOTH, 2, 0, p, n, &res);
		digest_buf(DIGEST_SHA256, p, n, want);
		assert_memory_equal(res.value[DIGEST_SHA256], want, 32);
		/* Empty and random objects are raw; text pays to compress. */
		check_both(fx, want, text && n > 0 ? ".zst" : "");
		free(p);
	}
	assert_int_equal(count_files(fx->local, "tmp"), 0);
	assert_int_equal(count_files(fx->cloud, "tmp"), 0);
	assert_int_equal(count_files(fx->local, "objects"),
	    count_files(fx->cloud, "objects"));
}

static void
test_store__two_offers_one_has_it(void **state)
{
	struct fx *fx = *state;
	static const char *const CLOUD_FIRST[] = { "cloud", "local" };
	unsigned char *p = random_bytes(3 << 20, 11), sha[32];
	struct stat first, again;
	char path[PATH_MAX];

	/* Already on local: the copy there stays, cloud gets one. */
	put_many(fx->st, LOCAL, 1, 0, p, 3 << 20, NULL);
	digest_buf(DIGEST_SHA256, p, 3 << 20, sha);
	obj_file(path, fx->local, sha, "");
	assert_int_equal(stat(path, &first), 0);
	put_many(fx->st, BOTH, 2, 0, p, 3 << 20, NULL);
	assert_int_equal(stat(path, &again), 0);
	assert_int_equal(first.st_ino, again.st_ino);
	check_both(fx, sha, "");

	/* Already on both, offers in the other order: nothing changes. */
	put_many(fx->st, CLOUD_FIRST, 2, 0, p, 3 << 20, NULL);
	assert_int_equal(stat(path, &again), 0);
	assert_int_equal(first.st_ino, again.st_ino);
	check_both(fx, sha, "");
	assert_int_equal(count_files(fx->local, "objects"), 1);
	assert_int_equal(count_files(fx->cloud, "objects"), 1);
	assert_int_equal(count_files(fx->local, "tmp"), 0);
	assert_int_equal(count_files(fx->cloud, "tmp"), 0);
	free(p);
}

static void
test_store__two_offers_free_without_commit(void **state)
{
	struct fx *fx = *state;
	static const char *const TWICE[] = { "cloud", "local", "cloud" };
	static const char *const LATE[] = { "local", "nowhere" };
	unsigned char *p = random_bytes(3 << 20, 12);
	struct store_writer *w;
	struct sae_err err;

	/* Abandoned while the hasher runs. */
	assert_int_equal(store_writer_new(&w, fx->st, BOTH, 2, 0, &err), 0);
	assert_int_equal(store_writer_write(w, p, 3 << 20, &err), 0);
	assert_int_equal(count_files(fx->local, "tmp"), 1);
	assert_int_equal(count_files(fx->cloud, "tmp"), 1);
	store_writer_free(w);
	assert_int_equal(count_files(fx->local, "tmp"), 0);
	assert_int_equal(count_files(fx->cloud, "tmp"), 0);

	/* Abandoned after finish, big and small. */
	assert_int_equal(store_writer_new(&w, fx->st, BOTH, 2, 0, &err), 0);
	assert_int_equal(store_writer_write(w, p, 3 << 20, &err), 0);
	assert_int_equal(store_writer_finish(w, NULL, NULL, &err), 0);
	store_writer_free(w);
	assert_int_equal(store_writer_new(&w, fx->st, BOTH, 2, 0, &err), 0);
	assert_int_equal(store_writer_write(w, p, 100, &err), 0);
	assert_int_equal(store_writer_finish(w, NULL, NULL, &err), 0);
	store_writer_free(w);
	assert_int_equal(count_files(fx->local, "tmp"), 0);
	assert_int_equal(count_files(fx->cloud, "tmp"), 0);
	assert_int_equal(count_files(fx->local, "objects"), 0);
	assert_int_equal(count_files(fx->cloud, "objects"), 0);

	/* Bad lists are refused before any temp file is made. */
	sae_err_clear(&err);
	assert_int_equal(store_writer_new(&w, fx->st, TWICE, 3, 0, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_non_null(strstr(err.msg, "'cloud' is listed twice"));
	assert_null(w);
	assert_int_equal(store_writer_new(&w, fx->st, LATE, 2, 0, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_non_null(strstr(err.msg, "'nowhere'"));
	assert_int_equal(store_writer_new(&w, fx->st, BOTH, 0, 0, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_int_equal(count_files(fx->local, "tmp"), 0);
	assert_int_equal(count_files(fx->cloud, "tmp"), 0);
	free(p);
}

static void
test_store__big_digests_match_one_pass(void **state)
{
	struct fx *fx = *state;
	const size_t total = 64u << 20;
	const enum digest_alg algs[] = { DIGEST_SHA256, DIGEST_SHA512,
	    DIGEST_SHA384, DIGEST_SHA1, DIGEST_MD5 };
	unsigned char *p = random_bytes(total, 13), want[DIGEST_MAX_LEN];
	struct digest_result res;
	size_t i;

	put_many(fx->st, BOTH, 2, DIGEST_MASK(DIGEST_SHA384) |
	    DIGEST_MASK(DIGEST_SHA1) | DIGEST_MASK(DIGEST_MD5), p, total, &res);
	assert_int_equal(res.mask, (1u << DIGEST_NALGS) - 1);
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		digest_buf(algs[i], p, total, want);
		assert_memory_equal(res.value[algs[i]], want,
		    digest_alg_len(algs[i]));
	}
	check_both(fx, res.value[DIGEST_SHA256], "");
	free(p);
}

static void
test_store__thread_only_for_big(void **state)
{
	struct fx *fx = *state;
	unsigned char *p = random_bytes((1 << 20) + 1, 14);
	struct store_writer *w;
	struct sae_err err;
	int base = count_threads();

	/* Up to one whole chunk: the caller's thread does everything. */
	assert_int_equal(store_writer_new(&w, fx->st, BOTH, 2, 0, &err), 0);
	assert_int_equal(store_writer_write(w, p, 1000, &err), 0);
	assert_int_equal(store_writer_write(w, p + 1000, (1 << 20) - 1000,
	    &err), 0);
	assert_int_equal(count_threads(), base);
	assert_int_equal(store_writer_finish(w, NULL, NULL, &err), 0);
	assert_int_equal(count_threads(), base);
	store_writer_free(w);

	/* One byte more starts the ring: a SHA-512 hasher, a hasher of the
	 * rest and, random bytes being stored as is, a writer for each
	 * offer; finish joins them. */
	assert_int_equal(store_writer_new(&w, fx->st, BOTH, 2, 0, &err), 0);
	assert_int_equal(store_writer_write(w, p, (1 << 20) + 1, &err), 0);
	assert_int_equal(count_threads(), base + 4);
	assert_int_equal(store_writer_finish(w, NULL, NULL, &err), 0);
	assert_int_equal(count_threads(), base);
	store_writer_free(w);
	free(p);
}

struct mjob {
	struct store	*st;
	int		 id;
	int		 failed;
};

static void *
multi_worker(void *arg)
{
	static const char *const CLOUD_FIRST[] = { "cloud", "local" };
	struct mjob *j = arg;
	struct store_writer *w;
	struct sae_err err;
	unsigned char *p;
	size_t n;
	int i;

	for (i = 0; i < 4; i++) {
		/* Each thread writes the same four objects, two big. */
		n = i < 2 ? (3u << 20) + 7 : 20000;
		p = random_bytes(n, 100 + (uint64_t)i);
		if (i % 2)
			memset(p, 'y', n / 2);
		if (store_writer_new(&w, j->st, j->id % 2 ? CLOUD_FIRST : BOTH,
		    2, 0, &err) == -1 ||
		    store_writer_write(w, p, n, &err) == -1 ||
		    store_writer_finish(w, NULL, NULL, &err) == -1 ||
		    store_writer_commit(w, &err) == -1) {
			fprintf(stderr, "# thread %d: %s\n", j->id, err.msg);
			j->failed = 1;
		}
		store_writer_free(w);
		free(p);
	}
	return NULL;
}

static void
test_store__two_offers_concurrent(void **state)
{
	struct fx *fx = *state;
	struct mjob jobs[NTHREADS];
	pthread_t t[NTHREADS];
	unsigned char *p, sha[32];
	size_t n;
	int i;

	for (i = 0; i < NTHREADS; i++) {
		jobs[i] = (struct mjob){ fx->st, i, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, multi_worker,
		    &jobs[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(jobs[i].failed, 0);
	}
	assert_int_equal(count_files(fx->local, "objects"), 4);
	assert_int_equal(count_files(fx->cloud, "objects"), 4);
	assert_int_equal(count_files(fx->local, "tmp"), 0);
	assert_int_equal(count_files(fx->cloud, "tmp"), 0);
	for (i = 0; i < 4; i++) {
		n = i < 2 ? (3u << 20) + 7 : 20000;
		p = random_bytes(n, 100 + (uint64_t)i);
		if (i % 2)
			memset(p, 'y', n / 2);
		digest_buf(DIGEST_SHA256, p, n, sha);
		check_both(fx, sha, i % 2 ? ".zst" : "");
		free(p);
	}
}

#ifdef SAE_CRASHPOINTS
/* Commits one object in a child that dies at ${point}. */
static void
crash_at(struct fx *fx, const char *point, const char *const *offers,
    size_t noffers, const void *p, size_t n)
{
	struct store_writer *w;
	struct sae_err err;
	int status;
	pid_t pid;

	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		setenv("SAE_CRASHPOINT", point, 1);
		if (store_writer_new(&w, fx->st, offers, noffers, 0,
		    &err) == 0 &&
		    store_writer_write(w, p, n, &err) == 0 &&
		    store_writer_finish(w, NULL, NULL, &err) == 0)
			store_writer_commit(w, &err);
		_exit(0);	/* not reached if the point works */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void
test_store__crashpoints(void **state)
{
	struct fx *fx = *state;
	unsigned char sha[32];
	struct store_stat ss;
	struct store *st2;
	struct sae_err err;

	digest_buf(DIGEST_SHA256, "before", 6, sha);
	crash_at(fx, "store-before-rename", LOCAL, 1, "before", 6);
	assert_int_equal(store_stat(fx->st, "local", sha, &ss, &err), -1);
	assert_int_equal(count_files(fx->local, "tmp"), 1);
	assert_int_equal(open_store(fx, &st2), 0);	/* recovery */
	assert_int_equal(count_files(fx->local, "tmp"), 0);
	store_free(st2);

	digest_buf(DIGEST_SHA256, "after", 5, sha);
	crash_at(fx, "store-after-rename", LOCAL, 1, "after", 5);
	assert_int_equal(store_verify(fx->st, "local", sha, NULL, &err), 0);
	assert_int_equal(count_files(fx->local, "tmp"), 0);

	/* Two offers: before the first rename, neither has the object... */
	digest_buf(DIGEST_SHA256, "both before", 11, sha);
	crash_at(fx, "store-before-rename", BOTH, 2, "both before", 11);
	assert_int_equal(store_stat(fx->st, "local", sha, &ss, &err), -1);
	assert_int_equal(store_stat(fx->st, "cloud", sha, &ss, &err), -1);
	assert_int_equal(count_files(fx->local, "tmp"), 1);
	assert_int_equal(count_files(fx->cloud, "tmp"), 1);
	assert_int_equal(open_store(fx, &st2), 0);
	assert_int_equal(count_files(fx->local, "tmp"), 0);
	assert_int_equal(count_files(fx->cloud, "tmp"), 0);
	store_free(st2);

	/* ...and after the last directory sync, both do. */
	digest_buf(DIGEST_SHA256, "both after", 10, sha);
	crash_at(fx, "store-after-rename", BOTH, 2, "both after", 10);
	assert_int_equal(store_verify(fx->st, "local", sha, NULL, &err), 0);
	assert_int_equal(store_verify(fx->st, "cloud", sha, NULL, &err), 0);
	assert_int_equal(count_files(fx->local, "tmp"), 0);
	assert_int_equal(count_files(fx->cloud, "tmp"), 0);
}
#endif

int
main(void)
{
#define T(name)	cmocka_unit_test_setup_teardown(test_store__##name, \
	    setup, teardown)
	const struct CMUnitTest tests[] = {
		T(roundtrip_compressible),
		T(roundtrip_incompressible),
		T(large_streamed),
		T(empty_object),
		T(duplicate_put_keeps_one),
		T(concurrent_writers),
		T(corrupt_raw),
		T(corrupt_zstd),
		T(deleted_is_not_found),
		T(copy_to_second_offer),
		T(free_without_commit),
		T(open_removes_stale_tmp),
		T(open_refuses_bad_offers),
		T(two_offers_identical),
		T(two_offers_one_has_it),
		T(two_offers_free_without_commit),
		T(big_digests_match_one_pass),
		T(thread_only_for_big),
		T(two_offers_concurrent),
#ifdef SAE_CRASHPOINTS
		T(crashpoints),
#endif
	};
#undef T

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

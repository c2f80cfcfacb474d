/*
 * fsutil.c: crash-safe file writes and small file-system helpers.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sae/fsutil.h"

int
sae_path(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return 0;
}

int
sae_fs_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int
sae_fs_mkdirp(const char *path, mode_t mode, struct sae_err *err)
{
	char tmp[PATH_MAX];
	size_t len = strlen(path), i;

	if (len == 0 || len >= sizeof(tmp))
		return sae_err_set(err, SAE_EINVAL, "path too long: '%s'", path);
	memcpy(tmp, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, mode) == -1 && errno != EEXIST)
			return sae_err_sys(err, SAE_EIO, "cannot create '%s'",
			    tmp);
		tmp[i] = path[i];
	}
	return 0;
}

int
sae_fs_fsync_dir(const char *path, struct sae_err *err)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return sae_err_sys(err, SAE_EIO, "cannot open '%s'", path);
	if (fsync(fd) == -1) {
		sae_err_sys(err, SAE_EIO, "cannot sync '%s'", path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
sae_fs_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
dir_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return sae_path(dir, size, ".");
	if (slash == path)
		return sae_path(dir, size, "/");
	return sae_path(dir, size, "%.*s", (int)(slash - path), path);
}

static int
write_sync_close(int fd, const char *path, const void *data, size_t len,
    struct sae_err *err)
{
	if (sae_fs_write_all(fd, data, len) == -1) {
		sae_err_sys(err, SAE_EIO, "cannot write '%s'", path);
		close(fd);
		return -1;
	}
	if (fsync(fd) == -1) {
		sae_err_sys(err, SAE_EIO, "cannot sync '%s'", path);
		close(fd);
		return -1;
	}
	if (close(fd) == -1)
		return sae_err_sys(err, SAE_EIO, "cannot close '%s'", path);
	return 0;
}

int
sae_fs_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode, struct sae_err *err)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	int fd;

	if (sae_path(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) ||
	    dir_of(path, dir, sizeof(dir)))
		return sae_err_set(err, SAE_EINVAL, "path too long: '%s'", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd == -1)
		return sae_err_sys(err, SAE_EIO, "cannot create '%s'", tmp);
	if (write_sync_close(fd, tmp, data, len, err) == -1)
		goto fail;
	if (rename(tmp, path) == -1) {
		sae_err_sys(err, SAE_EIO, "cannot rename '%s' to '%s'", tmp,
		    path);
		goto fail;
	}
	return sae_fs_fsync_dir(dir, err);
fail:
	unlink(tmp);
	return -1;
}

int
sae_fs_create_secret(const char *path, const void *data, size_t len,
    struct sae_err *err)
{
	char dir[PATH_MAX];
	int fd;

	if (dir_of(path, dir, sizeof(dir)))
		return sae_err_set(err, SAE_EINVAL, "path too long: '%s'", path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		return sae_err_sys(err, SAE_EIO, "cannot create '%s'", path);
	if (write_sync_close(fd, path, data, len, err) == -1) {
		unlink(path);
		return -1;
	}
	return sae_fs_fsync_dir(dir, err);
}

int
sae_fs_read(const char *path, struct sae_buf *out, size_t max,
    struct sae_err *err)
{
	char chunk[65536];
	size_t total = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return sae_err_sys(err,
		    errno == ENOENT ? SAE_ENOTFOUND : SAE_EIO,
		    "cannot open '%s'", path);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			sae_err_sys(err, SAE_EIO, "cannot read '%s'", path);
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		total += (size_t)n;
		if (total > max) {
			close(fd);
			return sae_err_set(err, SAE_ELIMIT,
			    "'%s' is larger than %zu bytes", path, max);
		}
		sae_buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

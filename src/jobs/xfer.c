/*
 * xfer.c: shared read-once chunks of local files, the walk that lists what
 * a push sends, and the checks that keep a pull inside its directory.
 *
 * A chunk is freed once no host still to send the file can need it: every
 * host that joined is past it and none is pending, or, when the loaded
 * chunks are over budget, every running host is past it (pending ones read
 * it again).  Chunks are read with pread on an fd opened for the read, so
 * ten thousand sources keep no file open.
 *
 * A chunk is read with the source's lock let go (its slot marked
 * XSRC_LOADING meanwhile), so the hosts of every loop thread sending
 * chunks already loaded go on; only a host that needs the chunk being read
 * waits for it, as it would have to anyway.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/buf.h"
#include "jobs/xfer.h"

#define XSRC_LOADING	((char *)&xsrc_loading)	/* chunk being read */

static const char xsrc_loading;

/* Set up a source. */
int
xsrc_init(struct xsrc *x, const char *path, uint64_t size)
{
	memset(x, 0, sizeof *x);
	if ((x->path = strdup(path)) == NULL)
		return DROVE_E_NOMEM;
	x->size = size;
	x->nchunks = (size_t)((size + XFER_CHUNK - 1) / XFER_CHUNK);
	if (x->nchunks > 0 &&
	    (x->chunk = calloc(x->nchunks, sizeof *x->chunk)) == NULL) {
		free(x->path);
		return DROVE_E_NOMEM;
	}
	pthread_mutex_init(&x->lock, NULL);
	pthread_cond_init(&x->loaded_cond, NULL);
	return 0;
}

/* Set up a source from memory: every chunk loaded now, and kept. */
int
xsrc_init_mem(struct xsrc *x, const char *name, const char *data,
    size_t len)
{
	size_t i, n;

	if (xsrc_init(x, name, len) != 0)
		return DROVE_E_NOMEM;
	x->mem = 1;
	for (i = 0; i < x->nchunks; i++) {
		n = i + 1 < x->nchunks ? XFER_CHUNK : len - i * XFER_CHUNK;
		if ((x->chunk[i] = malloc(n)) == NULL) {
			xsrc_release(x);
			return DROVE_E_NOMEM;
		}
		memcpy(x->chunk[i], data + i * XFER_CHUNK, n);
		x->loaded += n;
	}
	return 0;
}

/* Free a source's chunks and slots. */
void
xsrc_release(struct xsrc *x)
{
	size_t i;

	if (x->path == NULL)
		return;
	for (i = 0; i < x->nchunks; i++)
		free(x->chunk[i]);
	free(x->chunk);
	free(x->pos);
	free(x->path);
	pthread_cond_destroy(&x->loaded_cond);
	pthread_mutex_destroy(&x->lock);
	memset(x, 0, sizeof *x);
}

/* The lowest chunk a joined slot is at; nchunks when none is. */
static size_t
xsrc_min(const struct xsrc *x)
{
	size_t i, m = x->nchunks;

	for (i = 0; i < x->nslots; i++)
		if (x->pos[i] != SIZE_MAX && x->pos[i] < m)
			m = x->pos[i];
	return m;
}

/* Free the chunks nobody can need any more (locked). */
static void
xsrc_trim(struct xsrc *x)
{
	size_t i, m;

	if (x->mem || (x->pending > 0 && x->loaded < XFER_BUDGET / 2))
		return;
	m = xsrc_min(x);
	for (i = x->lo; i < m; i++) {
		if (x->chunk[i] == NULL || x->chunk[i] == XSRC_LOADING)
			continue;
		x->loaded -= i + 1 < x->nchunks ? XFER_CHUNK :
		    (size_t)(x->size - (uint64_t)i * XFER_CHUNK);
		free(x->chunk[i]);
		x->chunk[i] = NULL;
	}
	if (m > x->lo)
		x->lo = m;
}

/* Expect n more hosts. */
void
xsrc_expect(struct xsrc *x, size_t n)
{
	pthread_mutex_lock(&x->lock);
	x->pending += n;
	pthread_mutex_unlock(&x->lock);
}

/* A host joins at chunk 0. */
int
xsrc_join(struct xsrc *x)
{
	size_t i, *v;
	int slot = DROVE_E_NOMEM;

	pthread_mutex_lock(&x->lock);
	for (i = 0; i < x->nslots && x->pos[i] != SIZE_MAX; i++)
		;
	if (i == x->nslots) {
		if ((v = realloc(x->pos, (i + 1) * sizeof *v)) == NULL)
			goto out;
		x->pos = v;
		x->nslots++;
	}
	x->pos[i] = 0;
	x->lo = 0;
	if (x->pending > 0)
		x->pending--;
	slot = (int)i;
 out:
	pthread_mutex_unlock(&x->lock);
	return slot;
}

/* A host will not send it. */
void
xsrc_skip(struct xsrc *x)
{
	pthread_mutex_lock(&x->lock);
	if (x->pending > 0)
		x->pending--;
	xsrc_trim(x);
	pthread_mutex_unlock(&x->lock);
}

/* Read chunk idx from disk into a new buffer *out (not locked). */
static int
xsrc_read(struct xsrc *x, size_t idx, size_t len, char **out,
    struct drove_err *e)
{
	off_t off = (off_t)idx * XFER_CHUNK;
	size_t done = 0;
	ssize_t n;
	char *p;
	int fd, rc = DROVE_E_IO;

	*out = NULL;
	if ((p = malloc(len)) == NULL)
		return err_set(e, DROVE_E_NOMEM, "read %s: out of memory",
		    x->path);
	if ((fd = open(x->path, O_RDONLY | O_CLOEXEC)) == -1) {
		err_set(e, rc, "open %s: %s", x->path, strerror(errno));
		goto out;
	}
	while (done < len) {
		n = pread(fd, p + done, len - done, off + (off_t)done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_set(e, rc, "read %s: %s", x->path, n == 0 ?
			    "file shrank while being sent" : strerror(errno));
			goto out;
		}
		done += (size_t)n;
	}
	*out = p;
	p = NULL;
	rc = 0;
 out:
	if (fd != -1)
		close(fd);
	free(p);
	return rc;
}

/* Read chunk idx of len bytes with the lock let go (locked). */
static int
xsrc_load(struct xsrc *x, size_t idx, size_t len, struct drove_err *e)
{
	char *p;
	int rc;

	x->chunk[idx] = XSRC_LOADING;
	x->loaded += len;
	pthread_mutex_unlock(&x->lock);
	rc = xsrc_read(x, idx, len, &p, e);
	pthread_mutex_lock(&x->lock);
	x->chunk[idx] = p;
	pthread_cond_broadcast(&x->loaded_cond);
	if (rc != 0) {
		x->loaded -= len;
		return rc;
	}
	x->reads++;
	if (idx < x->lo)
		x->lo = idx;
	return 0;
}

/* Chunk idx for slot. */
int
xsrc_get(struct xsrc *x, int slot, size_t idx, const char **data,
    size_t *len, struct drove_err *e)
{
	size_t n;
	int rc = 0;

	*data = NULL;
	*len = 0;
	n = idx + 1 < x->nchunks ? XFER_CHUNK :
	    (size_t)(x->size - (uint64_t)idx * XFER_CHUNK);
	pthread_mutex_lock(&x->lock);
	if (x->pos[slot] != idx) {
		x->pos[slot] = idx;
		xsrc_trim(x);
	}
	while (x->chunk[idx] == XSRC_LOADING)
		pthread_cond_wait(&x->loaded_cond, &x->lock);
	if (x->chunk[idx] == NULL) {
		if (x->loaded + n > XFER_BUDGET && idx != xsrc_min(x)) {
			rc = DROVE_AGAIN;
			goto out;
		}
		if ((rc = xsrc_load(x, idx, n, e)) != 0)
			goto out;
	}
	*data = x->chunk[idx];
	*len = n;
 out:
	pthread_mutex_unlock(&x->lock);
	return rc;
}

/* The host is done with the source. */
void
xsrc_leave(struct xsrc *x, int slot)
{
	pthread_mutex_lock(&x->lock);
	x->pos[slot] = SIZE_MAX;
	xsrc_trim(x);
	pthread_mutex_unlock(&x->lock);
}

/* Hash a local file with SHA-256. */
static int
xfer_sha256(const char *path, unsigned char out[32], struct drove_err *e)
{
	EVP_MD_CTX *ctx = NULL;
	char buf[65536];
	ssize_t n;
	int fd, rc = DROVE_E_IO;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return err_set(e, rc, "open %s: %s", path, strerror(errno));
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		rc = err_set(e, DROVE_E_NOMEM, "sha256: out of memory");
		goto out;
	}
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err_set(e, rc, "read %s: %s", path, strerror(errno));
			goto out;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	}
	EVP_DigestFinal_ex(ctx, out, NULL);
	rc = 0;
 out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return rc;
}

/* Append an entry to the plan. */
static int
plan_add(struct xplan *p, size_t top, size_t parent, const char *rel,
    const char *path, const struct stat *st, int checksum,
    struct drove_err *e)
{
	struct xent *v, *x;

	if ((v = realloc(p->ents, (p->nents + 1) * sizeof *v)) == NULL)
		return err_set(e, DROVE_E_NOMEM, "out of memory");
	p->ents = v;
	x = &v[p->nents];
	memset(x, 0, sizeof *x);
	if ((x->rel = strdup(rel)) == NULL)
		return err_set(e, DROVE_E_NOMEM, "out of memory");
	p->nents++;
	x->top = top;
	x->parent = parent;
	x->is_dir = S_ISDIR(st->st_mode);
	x->mode = st->st_mode & 07777;
	x->mtime = st->st_mtime;
	if (x->is_dir)
		return 0;
	x->size = (uint64_t)st->st_size;
	p->bytes += x->size;
	if ((x->src = malloc(sizeof *x->src)) == NULL ||
	    xsrc_init(x->src, path, x->size) != 0) {
		free(x->src);
		x->src = NULL;
		return err_set(e, DROVE_E_NOMEM, "out of memory");
	}
	if (checksum)
		return xfer_sha256(path, x->sha, e);
	return 0;
}

/* Order names for a stable walk. */
static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory path, sorted, without . and .. */
static int
list_dir(const char *path, char ***out, size_t *n, struct drove_err *e)
{
	struct dirent *d;
	char **v = NULL, **nv;
	size_t k = 0;
	DIR *dir;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if ((dir = opendir(path)) == NULL)
		return err_set(e, DROVE_E_IO, "open %s: %s", path,
		    strerror(errno));
	while ((d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if ((nv = realloc(v, (k + 1) * sizeof *v)) == NULL ||
		    (nv[k] = strdup(d->d_name)) == NULL) {
			v = nv != NULL ? nv : v;
			rc = err_set(e, DROVE_E_NOMEM, "out of memory");
			break;
		}
		v = nv;
		k++;
	}
	closedir(dir);
	if (v != NULL)
		qsort(v, k, sizeof *v, cmp_name);
	*out = v;
	*n = k;
	return rc;
}

/* Add path (rel under top, in entry parent) and, for a directory, what is
 * in it. */
static int
plan_walk(struct xplan *p, size_t top, size_t parent, const char *path,
    const char *rel, int checksum, struct drove_err *e)
{
	struct stat st;
	struct buf cp, cr;
	char **names = NULL;
	size_t i, n = 0, self = p->nents;
	int rc;

	if (stat(path, &st) != 0)
		return err_set(e, DROVE_E_IO, "stat %s: %s", path,
		    strerror(errno));
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return *rel == '\0' ? err_set(e, DROVE_E_INVAL,
		    "%s: not a regular file or directory", path) : 0;
	if ((rc = plan_add(p, top, parent, rel, path, &st, checksum, e)) != 0 ||
	    !S_ISDIR(st.st_mode))
		return rc;
	if ((rc = list_dir(path, &names, &n, e)) != 0)
		goto out;
	buf_init(&cp);
	buf_init(&cr);
	for (i = 0; i < n && rc == 0; i++) {
		buf_consume(&cp, cp.len);
		buf_consume(&cr, cr.len);
		if (buf_printf(&cp, "%s/%s", path, names[i]) != 0 ||
		    buf_printf(&cr, "%s%s%s", rel, *rel ? "/" : "",
		    names[i]) != 0) {
			rc = err_set(e, DROVE_E_NOMEM, "out of memory");
			break;
		}
		rc = plan_walk(p, top, self, cp.data, cr.data, checksum, e);
	}
	buf_release(&cp);
	buf_release(&cr);
 out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* A plan of n tops named by srcs (their base names), no entries yet. */
static int
plan_alloc(const char *const *srcs, size_t n, struct xplan **out,
    struct drove_err *e)
{
	struct xplan *p;
	size_t i;

	if ((p = calloc(1, sizeof *p)) == NULL ||
	    (p->base = calloc(n, sizeof *p->base)) == NULL ||
	    (p->top_kind = calloc(n, sizeof *p->top_kind)) == NULL) {
		if (p != NULL)
			free(p->base);
		free(p);
		return err_set(e, DROVE_E_NOMEM, "out of memory");
	}
	pthread_mutex_init(&p->lock, NULL);
	p->ntops = n;
	for (i = 0; i < n; i++)
		if ((p->base[i] = xfer_basename(srcs[i])) == NULL) {
			xfer_plan_free(p);
			return err_set(e, DROVE_E_INVAL, "%s: no file name",
			    srcs[i]);
		}
	*out = p;
	return 0;
}

/* Make the plan of a push. */
int
xfer_plan_new(const char *const *srcs, size_t n, int recursive,
    int checksum, struct xplan **out, struct drove_err *e)
{
	struct xplan *p;
	struct stat st;
	size_t i;
	int rc = DROVE_E_NOMEM;

	*out = NULL;
	if (n == 0)
		return err_set(e, DROVE_E_INVAL, "nothing to send");
	if ((rc = plan_alloc(srcs, n, &p, e)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		if (stat(srcs[i], &st) != 0) {
			rc = err_set(e, DROVE_E_IO, "stat %s: %s", srcs[i],
			    strerror(errno));
			goto fail;
		}
		if (S_ISDIR(st.st_mode) && !recursive) {
			rc = err_set(e, DROVE_E_INVAL,
			    "%s is a directory (use -r)", srcs[i]);
			goto fail;
		}
		if (S_ISDIR(st.st_mode))
			p->top_kind[i] = srcs[i][strlen(srcs[i]) - 1] == '/' ?
			    XTOP_CONTENTS : XTOP_DIR;
		if ((rc = plan_walk(p, i, SIZE_MAX, srcs[i], "", checksum,
		    e)) != 0)
			goto fail;
	}
	*out = p;
	return 0;
 fail:
	xfer_plan_free(p);
	return rc;
}

int
xfer_plan_mem(const char *name, const char *data, size_t len,
    uint32_t mode, struct xplan **out, struct drove_err *e)
{
	struct xplan *p;
	struct xent *x;
	unsigned int n;
	int rc = DROVE_E_NOMEM;

	*out = NULL;
	if ((rc = plan_alloc(&name, 1, &p, e)) != 0)
		return rc;
	if ((p->ents = calloc(1, sizeof *p->ents)) == NULL) {
		rc = err_set(e, DROVE_E_NOMEM, "out of memory");
		goto fail;
	}
	x = &p->ents[0];
	p->nents = 1;
	x->parent = SIZE_MAX;
	x->mode = mode & 07777;
	x->mtime = (int64_t)time(NULL);
	x->size = len;
	p->bytes = len;
	if ((x->rel = strdup("")) == NULL ||
	    (x->src = malloc(sizeof *x->src)) == NULL ||
	    xsrc_init_mem(x->src, name, data, len) != 0) {
		free(x->src);
		x->src = NULL;
		rc = err_set(e, rc, "out of memory");
		goto fail;
	}
	if (EVP_Digest(data, len, x->sha, &n, EVP_sha256(), NULL) != 1) {
		rc = err_set(e, rc, "sha256: out of memory");
		goto fail;
	}
	*out = p;
	return 0;
 fail:
	xfer_plan_free(p);
	return rc;
}

/* Free a plan. */
void
xfer_plan_free(struct xplan *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nents; i++) {
		free(p->ents[i].rel);
		if (p->ents[i].src != NULL)
			xsrc_release(p->ents[i].src);
		free(p->ents[i].src);
	}
	free(p->ents);
	for (i = 0; i < p->ntops; i++)
		free(p->base[i]);
	free(p->base);
	free(p->top_kind);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* Whether name is one safe path component. */
int
xfer_name_ok(const char *name)
{
	const unsigned char *c;

	if (name == NULL || *name == '\0' || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return 0;
	for (c = (const unsigned char *)name; *c != '\0'; c++)
		if (*c == '/' || *c < 0x20 || *c == 0x7f)
			return 0;
	return 1;
}

/* The last safe component of path. */
char *
xfer_basename(const char *path)
{
	const char *end, *start;
	char *s;

	end = path + strlen(path);
	while (end > path && end[-1] == '/')
		end--;
	for (start = end; start > path && start[-1] != '/'; start--)
		;
	if ((s = strndup(start, (size_t)(end - start))) == NULL)
		return NULL;
	if (!xfer_name_ok(s)) {
		free(s);
		return NULL;
	}
	return s;
}

/* A host name as a file name. */
char *
xfer_host_file(const char *host)
{
	char *s, *p;

	if ((s = strdup(*host != '\0' ? host : "_")) == NULL)
		return NULL;
	for (p = s; *p != '\0'; p++)
		if (*p == '/' || (unsigned char)*p < 0x20)
			*p = '_';
	if (s[0] == '.')
		s[0] = '_';
	return s;
}

/* Make dir unless it is there as a real directory. */
static int
mkdir_one(const char *dir, struct drove_err *e)
{
	struct stat st;

	if (mkdir(dir, 0755) == 0)
		return 0;
	if (errno != EEXIST)
		return err_set(e, DROVE_E_IO, "mkdir %s: %s", dir,
		    strerror(errno));
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return err_set(e, DROVE_E_IO, "%s: not a directory%s", dir,
		    S_ISLNK(st.st_mode) ? " (a symbolic link)" : "");
	return 0;
}

/* Make root, then rel's directories under it, one checked component at a
 * time. */
int
xfer_local_mkdirs(const char *root, const char *rel, struct drove_err *e)
{
	struct buf b;
	const char *p = rel, *slash;
	size_t n;
	int rc;

	buf_init(&b);
	if ((rc = buf_puts(&b, root)) != 0)
		goto nomem;
	if (mkdir(root, 0755) != 0 && errno != EEXIST) {
		rc = err_set(e, DROVE_E_IO, "mkdir %s: %s", root,
		    strerror(errno));
		goto out;
	}
	while (*p != '\0') {
		slash = strchr(p, '/');
		n = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if ((rc = buf_printf(&b, "/%.*s", (int)n, p)) != 0)
			goto nomem;
		if (!xfer_name_ok(b.data + b.len - n)) {
			rc = err_set(e, DROVE_E_INVAL, "unsafe path: %s", rel);
			goto out;
		}
		if ((rc = mkdir_one(b.data, e)) != 0)
			goto out;
		p += n;
		while (*p == '/')
			p++;
	}
	goto out;
 nomem:
	rc = err_set(e, DROVE_E_NOMEM, "out of memory");
 out:
	buf_release(&b);
	return rc;
}

/* Quote s for a POSIX shell. */
char *
xfer_shell_quote(const char *s)
{
	struct buf b;

	buf_init(&b);
	if (buf_puts(&b, "'") != 0)
		return NULL;
	for (; *s != '\0'; s++)
		if ((*s == '\'' ? buf_puts(&b, "'\\''") :
		    buf_append(&b, s, 1)) != 0) {
			buf_release(&b);
			return NULL;
		}
	if (buf_puts(&b, "'") != 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_steal(&b, NULL);
}

/* Hex of a SHA-256. */
void
xfer_hex(const unsigned char sha[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[sha[i] >> 4];
		out[2 * i + 1] = hex[sha[i] & 15];
	}
	out[64] = '\0';
}

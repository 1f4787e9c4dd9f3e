/*
 * xfer.h: the local side of file transfers: local files read once in
 * chunks shared by every host, the list of what a push sends, and the
 * names and paths a pull may write.
 *
 * A source (struct xsrc) is one local file cut into XFER_CHUNK-byte chunks
 * (a whole number of SFTP write packets).  A chunk is read from disk when
 * the first host needs it and stays at the same address until every host
 * that will send the file is past it, so an SFTP write that returned EAGAIN
 * can be repeated with the same pointer and length (engine/README, 8).
 * Loaded chunks stay under XFER_BUDGET bytes per source: a host that runs
 * ahead waits (DROVE_AGAIN) while the slowest one always goes on; when that
 * is not enough (hosts that start much later, under --forks) the chunks
 * behind every running host are dropped and read again for the late ones.
 *
 * Thread rules: a source is shared by the loop threads of a run; its
 * functions lock it.  The plan is read-only once made.
 * Ownership: the plan owns its entries and sources; xfer_plan_free().
 */
#ifndef XFER_H
#define XFER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "drove.h"

#define XFER_CHUNK	(64 * 30000)		/* bytes per chunk */
#define XFER_BUDGET	(32 * XFER_CHUNK)	/* loaded per source at most */

struct xsrc {
	pthread_mutex_t	 lock;
	pthread_cond_t	 loaded_cond;	/* a chunk was read */
	char		*path;
	uint64_t	 size;
	size_t		 nchunks;
	char		**chunk;	/* loaded chunks, or NULL */
	size_t		 loaded;	/* bytes loaded now */
	size_t		 lo;		/* no chunk below is loaded */
	size_t		*pos;		/* per user slot; SIZE_MAX: free */
	size_t		 nslots;
	size_t		 pending;	/* hosts yet to join or skip */
	uint64_t	 reads;		/* chunks read from disk so far */
	int		 mem;		/* its chunks were given, not read:
					   kept until released */
};

/* Set up a source for path of size bytes; 0 or DROVE_E_NOMEM. */
int	xsrc_init(struct xsrc *, const char *path, uint64_t size);
/* Set up a source holding a copy of len bytes of data, named name. */
int	xsrc_init_mem(struct xsrc *, const char *name, const char *data,
	    size_t len);
void	xsrc_release(struct xsrc *);
/* Expect n more hosts to send it (each joins or skips once). */
void	xsrc_expect(struct xsrc *, size_t n);
/* A host starts sending it: its slot, at chunk 0; or DROVE_E_NOMEM. */
int	xsrc_join(struct xsrc *);
/* A host that expected to send it will not. */
void	xsrc_skip(struct xsrc *);
/*
 * Chunk idx for slot, which is past every chunk before it from now on:
 * 0 with *data and *len (lent until the slot moves on or leaves),
 * DROVE_AGAIN when the slot must wait for slower ones, or DROVE_E_IO with
 * e set (the file is unreadable or changed size).
 */
int	xsrc_get(struct xsrc *, int slot, size_t idx, const char **data,
	    size_t *len, struct drove_err *e);
/* The host is done with it (sent, or failed). */
void	xsrc_leave(struct xsrc *, int slot);

/* One thing a push sends: a directory, or a file from a source. */
struct xent {
	size_t		 top;		/* index of the SRC argument */
	char		*rel;		/* path under it; "" for itself */
	size_t		 parent;	/* entry of its directory, or
					   SIZE_MAX for a top */
	int		 is_dir;
	uint32_t	 mode;		/* permission bits */
	uint64_t	 size;
	int64_t		 mtime;
	struct xsrc	*src;		/* files */
	unsigned char	 sha[32];	/* with checksum */
};

/*
 * What each SRC argument is, rsync's rule for directories: a directory
 * goes into DEST (DEST/NAME), a directory named with a trailing '/' is
 * DEST (its contents go into it).  Either way a second identical push
 * finds everything in place.
 */
enum { XTOP_FILE, XTOP_DIR, XTOP_CONTENTS };

struct xplan {
	struct xent	*ents;		/* each top before what is in it */
	size_t		 nents;
	char		**base;		/* basename of each SRC argument */
	size_t		 ntops;
	unsigned char	*top_kind;	/* XTOP_* of each SRC argument */
	uint64_t	 bytes;		/* of every file, once */
	pthread_mutex_t	 lock;		/* for counted */
	int		 counted;
};

/*
 * Walk the local sources (directories only with recursive) into a plan;
 * with checksum, hash every file.  0, or DROVE_E_IO/INVAL/NOMEM with e set.
 */
int	xfer_plan_new(const char *const *srcs, size_t n, int recursive,
	    int checksum, struct xplan **out, struct drove_err *e);
void	xfer_plan_free(struct xplan *);		/* NULL-safe */
/*
 * A plan of one file of len bytes of data (copied), named name as a
 * source (its base name goes into a directory DEST), of mode mode, with
 * its checksum.  0 or DROVE_E_INVAL/NOMEM with e set.
 */
int	xfer_plan_mem(const char *name, const char *data, size_t len,
	    uint32_t mode, struct xplan **out, struct drove_err *e);

/* Whether a remote listing's name is safe as one local path component. */
int	xfer_name_ok(const char *name);
/* The last component of path, or NULL when it has none that is safe
 * ("/", "..", "a/.."); malloc'd. */
char	*xfer_basename(const char *path);
/* A host name as a file name: '/' and a leading '.' become '_'. */
char	*xfer_host_file(const char *host);
/*
 * Make the directories of rel (components split on '/', each one safe)
 * under root, which is made if missing; an existing component must be a
 * directory, not a symbolic link.  0 or DROVE_E_IO with e set.
 */
int	xfer_local_mkdirs(const char *root, const char *rel,
	    struct drove_err *e);
/* s quoted for a POSIX shell ('it'\''s'); malloc'd. */
char	*xfer_shell_quote(const char *s);
/* Lowercase hex of 32 bytes into out[65]. */
void	xfer_hex(const unsigned char sha[32], char out[65]);

#endif /* XFER_H */

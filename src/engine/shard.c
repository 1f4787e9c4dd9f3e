/*
 * shard.c: one loop thread's part of a fleet run: its loop, resolver,
 * known_hosts, agent connection and sessions, the order and pace in which
 * its hosts start, and the results they end with.
 *
 * Hosts start in order while fewer than `forks` run.  A host whose server
 * (address and port) has no connect token left, or too many sessions still
 * short of authentication, waits in that server's queue; queued hosts go
 * first when their server frees up.  On cancel or fail-fast the shard stops
 * starting hosts, and on cancel closes the running ones; every host still
 * ends with a result.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fwriter.h"
#include "base/log.h"
#include "engine/agent.h"
#include "engine/fleet.h"
#include "engine/hostkey.h"
#include "engine/proxycmd.h"
#include "engine/resolve.h"

#define SHARD_RESOLVERS	16
#define SHARD_WRITERS	4	/* threads for local files */

/* The status an error code stands for (not 0). */
static enum drove_status
status_of_code(int code)
{
	switch (code) {
	case DROVE_E_TIMEOUT:
		return DROVE_ST_TIMEOUT;
	case DROVE_E_RESOLVE:
	case DROVE_E_UNREACHABLE:
		return DROVE_ST_UNREACHABLE;
	case DROVE_E_REFUSED:
		return DROVE_ST_REFUSED;
	case DROVE_E_HOSTKEY:
		return DROVE_ST_HOSTKEY;
	case DROVE_E_AUTH:
		return DROVE_ST_AUTH;
	case DROVE_E_CANCELLED:
		return DROVE_ST_CANCELLED;
	}
	return DROVE_ST_ERROR;
}

/* The status a session's outcome stands for. */
static enum drove_status
status_of(const struct sess *s)
{
	if (s->err.code != 0)
		return status_of_code(s->err.code);
	if (s->signal[0] != '\0')
		return DROVE_ST_SIGNAL;
	return s->exit_code == 0 ? DROVE_ST_OK : DROVE_ST_FAILED;
}

static void	shard_maybe_ask(struct shard *);

/* Deliver an event, or hold it back while the user is being asked. */
static void
shard_emit(struct shard *sh, enum drove_event_type type, size_t host,
    const char *data, size_t len)
{
	struct held_event *e;
	size_t n;

	if (sh->prompting != 1) {
		fleet_emit(sh->f, type, host, data, len);
		return;
	}
	if (sh->nevents == sh->capevents) {
		n = sh->capevents ? sh->capevents * 2 : 64;
		if ((e = realloc(sh->events, n * sizeof *e)) == NULL)
			goto lost;
		sh->events = e;
		sh->capevents = n;
	}
	e = &sh->events[sh->nevents];
	e->type = type;
	e->host = host;
	e->len = len;
	e->data = NULL;
	if (len > 0 && (e->data = malloc(len)) == NULL)
		goto lost;
	if (len > 0)
		memcpy(e->data, data, len);
	sh->nevents++;
	return;
 lost:
	/* out of memory: better out of turn than lost */
	fleet_emit(sh->f, type, host, data, len);
}

/* Trip fail-fast on the first failure of the run, in any shard. */
static void
shard_trip_fail_fast(struct shard *sh, size_t host)
{
	struct drove_fleet *f = sh->f;
	size_t none = SIZE_MAX;
	unsigned int i;

	if (f->fail_fast == DROVE_FAIL_FAST_OFF ||
	    !__atomic_compare_exchange_n(&f->ff_host, &none, host, 0,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return;
	for (i = 0; i < f->nshards; i++)
		loop_wake(f->shards[i].loop);
}

/* End host i with its result and tell the caller. */
static void
shard_finish(struct shard *sh, size_t i)
{
	struct fhost *h = &sh->f->hosts[i];

	h->done = 1;
	sh->finished++;
	if (h->jump != NULL)
		jump_unwant(sh->jump, h->jump);
	if (h->result.status != DROVE_ST_OK &&
	    h->result.status != DROVE_ST_CANCELLED)
		shard_trip_fail_fast(sh, i);
	shard_emit(sh, DROVE_EV_DONE, i, NULL, 0);
}

/* End host i before it had a session. */
static void
shard_fail_host(struct shard *sh, size_t i, enum drove_status st, int code,
    const char *msg)
{
	struct fhost *h = &sh->f->hosts[i];

	h->result.status = st;
	h->result.error = code;
	if (msg != h->result.msg)
		snprintf(h->result.msg, sizeof h->result.msg, "%s", msg);
	shard_finish(sh, i);
}

/* Session output: count it and pass it on. */
static void
host_output(void *owner, int stream, const char *data, size_t len)
{
	struct fhost *h = owner;
	struct drove_fleet *f = h->shard->f;

	if (stream == 0)
		h->result.out_bytes += len;
	else
		h->result.err_bytes += len;
	shard_emit(h->shard, stream == 0 ? DROVE_EV_STDOUT :
	    DROVE_EV_STDERR, (size_t)(h - f->hosts), data, len);
}

/* Session warning: pass it on. */
static void
host_warn(void *owner, const char *msg)
{
	struct fhost *h = owner;
	struct drove_fleet *f = h->shard->f;

	shard_emit(h->shard, DROVE_EV_WARN, (size_t)(h - f->hosts), msg,
	    strlen(msg));
}

/* A session left the pre-authentication phase: its server has room. */
static void
dest_release(struct shard *sh, struct fhost *h)
{
	if (h->dest->starting > 0)
		h->dest->starting--;
	if (h->dest->busy)
		loop_task_queue(sh->loop, &sh->start_task);
}

/* Session authenticated; a session connected again says why. */
static void
host_ready(void *owner)
{
	struct fhost *h = owner;
	char msg[320];

	dest_release(h->shard, h);
	if (h->lost[0] != '\0') {
		snprintf(msg, sizeof msg, "connected again: %s", h->lost);
		h->lost[0] = '\0';
		host_warn(owner, msg);
	}
	shard_maybe_ask(h->shard);
}

/* Session holds an unknown host key: answer at once if the user already
 * said all or none, else ask when the other hosts are under way. */
static void
host_held(void *owner)
{
	struct fhost *h = owner;
	struct shard *sh = h->shard;
	const char *type;
	char fp[56];
	size_t *v, n;

	for (n = 0; n < sh->nrejected; n++)
		if (sh->rejected[n].dest == h->dest &&
		    sess_hostkey_info(h->sess, &type, fp) == 0 &&
		    strcmp(fp, sh->rejected[n].fp) == 0) {
			sess_hostkey_answer(h->sess, 0);
			return;
		}
	if (sh->nheld == sh->capheld) {
		n = sh->capheld ? sh->capheld * 2 : 16;
		if ((v = realloc(sh->held, n * sizeof *v)) == NULL) {
			sess_hostkey_answer(h->sess, 0);
			return;
		}
		sh->held = v;
		sh->capheld = n;
	}
	sh->held[sh->nheld++] = (size_t)(h - sh->f->hosts);
	loop_task_queue(sh->loop, &sh->start_task);
}

/* Record the outcome of host h's job from its session. */
static void
host_result(struct shard *sh, struct fhost *h, struct sess *s)
{
	struct drove_result *r = &h->result;

	r->status = status_of(s);
	r->error = s->err.code;
	r->exit_code = s->exit_code;
	snprintf(r->signal, sizeof r->signal, "%s", s->signal);
	snprintf(r->msg, sizeof r->msg, "%s", s->err.msg);
	r->elapsed_ms = loop_now(sh->loop) - h->t0;
	r->reached = s->authenticated;
	r->retries = s->attempt + s->busy;
}

static void	shard_try_start(struct shard *, size_t);

/*
 * Session finished: record the result, free it, start the next host.  A
 * kept session that ends outside a job (closed while idle) leaves why in
 * the host; one found closed as its host's run began (keep_reuse) is
 * followed by a new connection, once.
 */
static void
host_done(void *owner, struct sess *s)
{
	struct fhost *h = owner;
	struct shard *sh = h->shard;
	struct drove_result *r = &h->result;
	size_t i = (size_t)(h - sh->f->hosts);
	int reviving = h->reviving;
	char lost[sizeof h->lost];

	snprintf(lost, sizeof lost, "%s", h->lost);
	if (!h->busy || reviving) {
		if (s->err.code != DROVE_E_CANCELLED)
			snprintf(h->lost, sizeof h->lost, "%.255s",
			    s->err.msg);
		h->sess = NULL;
		sess_free(s);
		if (--sh->nsess == 0 && sh->f->closing)
			loop_wake(sh->loop);	/* its keeper returns */
		if (reviving) {
			h->reviving = 0;
			h->busy = 0;
			sh->active--;
			shard_try_start(sh, i);
		}
		return;
	}
	host_result(sh, h, s);
	if (lost[0] != '\0' && !s->authenticated) {
		snprintf(r->msg, sizeof r->msg, "%.200s; connecting again: "
		    "%.280s", lost, s->err.msg);
		h->lost[0] = '\0';
	}
	if (!s->authenticated)
		dest_release(sh, h);
	h->sess = NULL;
	h->busy = 0;
	sess_free(s);
	sh->nsess--;
	sh->active--;
	shard_finish(sh, i);
	loop_task_queue(sh->loop, &sh->start_task);
}

/* A kept session is ready: its host's job of this run ended (or, with
 * drove_fleet_connect(), its host is connected). */
static void
host_idle(void *owner, struct sess *s)
{
	struct fhost *h = owner;
	struct shard *sh = h->shard;

	if (!h->busy)
		return;
	host_result(sh, h, s);
	if (sh->f->connect_only && s->err.code == 0)
		h->result.status = DROVE_ST_OK;
	h->busy = 0;
	sh->active--;
	shard_finish(sh, (size_t)(h - sh->f->hosts));
	loop_task_queue(sh->loop, &sh->start_task);
}

/* The prompt thread: ask the caller, then hand the answer to the loop. */
static void	shard_asked(struct loop *, void *);

static void *
prompt_thread(void *arg)
{
	struct shard *sh = arg;
	struct drove_fleet *f = sh->f;

	sh->answer = f->ask_cb(sh->queries, sh->nqueries, f->ask_arg);
	if (loop_post(sh->loop, shard_asked, sh) != 0)
		loop_wake(sh->loop);
	return NULL;
}

/* Order host indices. */
static int
cmp_index(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Order queries by host index: the inventory's order. */
static int
cmp_query(const void *a, const void *b)
{
	const struct drove_hostkey_query *x = a, *y = b;

	return x->host < y->host ? -1 : x->host > y->host;
}

/*
 * Add to q[0..n) the hosts not started yet (the startup limit or forks
 * keep them back) that reach the server of a held host: that server's key
 * is theirs too, so they are counted and shown with it, and the answer
 * settles them (accepted: known_hosts holds the key when they connect;
 * rejected one by one: shard_asked() remembers it).  The new count.
 */
static size_t
ask_behind(struct shard *sh, struct drove_hostkey_query *q, size_t n)
{
	struct drove_fleet *f = sh->f;
	struct fhost *h;
	size_t i, k, m = n;

	for (i = 0; i < sh->nhosts; i++) {
		h = &f->hosts[sh->hosts[i]];
		if (h->done || h->sess != NULL)
			continue;
		for (k = 0; k < n && f->hosts[q[k].host].dest != h->dest; k++)
			;
		if (k == n)
			continue;
		q[m] = q[k];
		q[m].host = sh->hosts[i];
		q[m].name = h->name;
		m++;
	}
	qsort(q, m, sizeof *q, cmp_query);
	return m;
}

/*
 * Ask about the held host keys once nothing else is still connecting:
 * every other running session is authenticated or ending, and no host
 * can start now.
 */
static void
shard_maybe_ask(struct shard *sh)
{
	struct drove_fleet *f = sh->f;
	struct drove_hostkey_query *q;
	struct fhost *h;
	struct sess *k;
	const char *type;
	size_t i, n = 0;

	if (sh->nheld == 0 || sh->prompting || sh->cancelling)
		return;
	if (sh->next < sh->nhosts && (sh->forks == 0 || sh->active <
	    sh->forks))
		return;
	for (i = 0; i < sh->nhosts; i++) {
		h = &f->hosts[sh->hosts[i]];
		if (h->sess != NULL && !h->sess->held &&
		    h->sess->state <= SESS_HOSTKEY)
			return;
	}
	qsort(sh->held, sh->nheld, sizeof *sh->held, cmp_index);
	q = calloc(sh->nheld + sh->nhosts, sizeof *q);
	sh->fps = calloc(sh->nheld, sizeof *sh->fps);
	if (q == NULL || sh->fps == NULL) {
		free(q);
		free(sh->fps);
		sh->fps = NULL;
		return;
	}
	for (i = 0; i < sh->nheld; i++) {
		h = &f->hosts[sh->held[i]];
		if (h->sess == NULL || sess_hostkey_info(h->sess, &type,
		    sh->fps[n]) != 0)
			continue;
		k = sess_keyholder(h->sess);	/* a jump host's key */
		q[n].host = sh->held[i];
		q[n].name = k->label != NULL ? k->label : h->name;
		q[n].address = k->address;
		q[n].port = k->port;
		q[n].keytype = type;
		q[n].fingerprint = sh->fps[n];
		n++;
	}
	n = ask_behind(sh, q, n);
	sh->queries = q;
	sh->nqueries = n;
	sh->nheld = 0;
	sh->prompting = 1;
	if (pthread_create(&sh->prompt_thread, NULL, prompt_thread, sh) !=
	    0) {
		sh->answer = DROVE_ASK_NONE;
		shard_asked(sh->loop, sh);
	}
}

/* Remember that the user rejected key fp for server d (once). */
static void
shard_reject(struct shard *sh, struct dest *d, const char *fp)
{
	struct rejected_key *r;
	size_t i;

	for (i = 0; i < sh->nrejected; i++)
		if (sh->rejected[i].dest == d &&
		    strcmp(sh->rejected[i].fp, fp) == 0)
			return;
	if ((r = reallocarray(sh->rejected, sh->nrejected + 1,
	    sizeof *r)) == NULL)
		return;		/* asked again later: no harm */
	sh->rejected = r;
	r[sh->nrejected].dest = d;
	snprintf(r[sh->nrejected].fp, sizeof r->fp, "%s", fp);
	sh->nrejected++;
}

/* The answer is in: apply it, let jobs go on, deliver what was held. */
static void
shard_asked(struct loop *l, void *arg)
{
	struct shard *sh = arg;
	struct drove_fleet *f = sh->f;
	struct fhost *h;
	size_t i;
	int accept;

	(void)l;
	if (sh->prompting != 1)
		return;
	pthread_join(sh->prompt_thread, NULL);
	sh->prompting = 0;
	if (sh->answer != DROVE_ASK_EACH) {
		f->ask_settled = 1;
		sh->cfg.policy = sh->answer == DROVE_ASK_ALL ?
		    DROVE_HOSTKEY_ACCEPT_NEW : DROVE_HOSTKEY_STRICT;
	}
	for (i = 0; i < sh->nqueries; i++) {
		h = &f->hosts[sh->queries[i].host];
		accept = sh->answer == DROVE_ASK_ALL ||
		    (sh->answer == DROVE_ASK_EACH && sh->queries[i].accept);
		if (sh->answer == DROVE_ASK_EACH && !accept)
			shard_reject(sh, h->dest, sh->queries[i].fingerprint);
		if (h->sess != NULL)
			sess_hostkey_answer(h->sess, accept);
	}
	free(sh->queries);
	free(sh->fps);
	sh->queries = NULL;
	sh->fps = NULL;
	sh->nqueries = 0;
	for (i = 0; i < sh->nevents; i++) {
		fleet_emit(f, sh->events[i].type, sh->events[i].host,
		    sh->events[i].data, sh->events[i].len);
		free(sh->events[i].data);
	}
	sh->nevents = 0;
	for (i = 0; i < sh->nhosts; i++)
		if (f->hosts[sh->hosts[i]].sess != NULL)
			sess_wake(f->hosts[sh->hosts[i]].sess);
	/* hosts held meanwhile: answered by a settled policy, or asked next */
	for (i = 0; i < sh->nheld && f->ask_settled; i++) {
		h = &f->hosts[sh->held[i]];
		if (h->sess != NULL)
			sess_hostkey_answer(h->sess, sh->answer ==
			    DROVE_ASK_ALL);
	}
	if (f->ask_settled)
		sh->nheld = 0;
	loop_task_queue(sh->loop, &sh->start_task);
}

static const struct sess_ops host_ops = {
	.output = host_output,
	.warn = host_warn,
	.ready = host_ready,
	.held = host_held,
	.done = host_done,
	.idle = host_idle,
};

/* FNV-1a of a server's address and port. */
static size_t
dest_hash(const char *address, int port)
{
	size_t h = 2166136261u;

	for (; *address != '\0'; address++)
		h = (h ^ (unsigned char)*address) * 16777619u;
	return (h ^ (size_t)port) * 16777619u;
}

/* The shard's record of a server, made on first use; NULL: no memory. */
static struct dest *
dest_get(struct shard *sh, const char *address, int port)
{
	struct dest *d;
	size_t i, mask = sh->ndests_cap - 1;

	for (i = dest_hash(address, port) & mask; sh->dests[i] != NULL;
	    i = (i + 1) & mask) {
		d = sh->dests[i];
		if (d->port == port && strcmp(d->address, address) == 0)
			return d;
	}
	if ((d = calloc(1, sizeof *d)) == NULL)
		return NULL;
	d->address = address;
	d->port = port;
	pace_init(&d->pace, loop_now(sh->loop));
	sh->dests[i] = d;
	return d;
}

/* Whether a connection to d may start now; takes a token if so. */
static int
dest_admit(struct shard *sh, struct dest *d)
{
	if ((sh->max_startups > 0 && d->starting >= sh->max_startups) ||
	    !pace_take(&d->pace, sh->connect_rate, loop_now(sh->loop)))
		return 0;
	d->starting++;
	return 1;
}

/* Hold host i in its server's queue. */
static int
dest_hold(struct shard *sh, struct dest *d, size_t i)
{
	size_t n, *q, k;

	if (d->qlen == d->qcap) {
		n = d->qcap ? d->qcap * 2 : 16;
		if ((q = malloc(n * sizeof *q)) == NULL)
			return DROVE_E_NOMEM;
		for (k = 0; k < d->qlen; k++)
			q[k] = d->queue[(d->qhead + k) % d->qcap];
		free(d->queue);
		d->queue = q;
		d->qcap = n;
		d->qhead = 0;
	}
	d->queue[(d->qhead + d->qlen++) % d->qcap] = i;
	if (!d->busy) {
		d->busy = 1;
		d->next_busy = sh->busy;
		sh->busy = d;
	}
	return 0;
}

/* The known_hosts a host names instead of the fleet's, loaded once per
 * path; NULL (message in e) when it cannot be read. */
static struct known_hosts *
shard_kh(struct shard *sh, char *path, struct drove_err *e)
{
	struct kh_file *v;
	size_t i;

	if (strcmp(path, sh->f->known_hosts_path) == 0)
		return sh->kh;
	for (i = 0; i < sh->nkhs; i++)
		if (strcmp(sh->khs[i].path, path) == 0)
			return sh->khs[i].kh;
	if ((v = realloc(sh->khs, (sh->nkhs + 1) * sizeof *v)) == NULL) {
		err_set(e, DROVE_E_NOMEM, "out of memory");
		return NULL;
	}
	sh->khs = v;
	err_clear(e);
	if (kh_load(path, &v[sh->nkhs].kh, e) != 0)
		return NULL;
	v[sh->nkhs].path = path;
	return v[sh->nkhs++].kh;
}

/* Route host h's new session through its proxy command or jump chain;
 * 0 or DROVE_E_* (e set). */
static int
shard_route(struct shard *sh, struct fhost *h, struct drove_err *e)
{
	if (h->proxy_command != NULL)
		return proxycmd_attach(h->sess, h->proxy_command, h->name, e);
	if (h->jump != NULL)
		return jump_attach(sh->jump, h->sess, h->jump, e);
	return 0;
}

/* Start host i's session. */
static void
shard_start_host(struct shard *sh, size_t i)
{
	struct drove_fleet *f = sh->f;
	struct fhost *h = &f->hosts[i];
	struct drove_hostspec spec;
	struct known_hosts *kh = sh->kh;
	struct drove_err e;
	struct job *job;

	shard_emit(sh, DROVE_EV_START, i, NULL, 0);
	if (h->known_hosts != NULL && (kh = shard_kh(sh, h->known_hosts,
	    &e)) == NULL) {
		h->dest->starting--;
		shard_fail_host(sh, i, DROVE_ST_HOSTKEY, e.code, e.msg);
		return;
	}
	memset(&spec, 0, sizeof spec);
	spec.name = h->name;
	spec.address = h->address;
	spec.port = h->port;
	spec.user = h->user;
	spec.password = h->password;
	spec.connect_timeout_ms = h->connect_timeout_ms;
	spec.keepalive_s = h->keepalive_s;
	spec.identities_only = h->identities_only;
	job = f->keyscan || f->connect_only ? NULL : f->make_job(f, i);
	if ((job == NULL && !f->keyscan && !f->connect_only) ||
	    (h->sess = sess_new(&sh->cfg,
	    &host_ops, h, &spec, job)) == NULL) {
		if (job != NULL)
			job->ops->free(job, 1);
		h->dest->starting--;
		shard_fail_host(sh, i, DROVE_ST_ERROR, DROVE_E_NOMEM,
		    "out of memory");
		return;
	}
	h->sess->ident = h->ident;
	h->sess->kh = kh;
	if (h->policy != -1)
		h->sess->policy = h->policy;
	if (shard_route(sh, h, &e) != 0) {
		sess_free(h->sess);
		h->sess = NULL;
		h->dest->starting--;
		shard_fail_host(sh, i, status_of_code(e.code), e.code, e.msg);
		return;
	}
	/* a session through a jump host is not kept: its channel lives on
	 * the jump host's connection, which closes when the run ends */
	h->sess->persist = f->keep && h->jump == NULL;
	sh->nsess++;
	h->busy = 1;
	h->t0 = loop_now(sh->loop);
	sh->active++;
	sess_start(h->sess);
}

/*
 * Hand host i's job of this run to its kept session: 0 when it has none.
 * A session found closed (sess_alive) ends soon, and host_done connects
 * the host again.
 */
static int
shard_reuse(struct shard *sh, size_t i)
{
	struct drove_fleet *f = sh->f;
	struct fhost *h = &f->hosts[i];
	struct job *job = NULL;

	if (h->sess == NULL)
		return 0;
	h->busy = 1;
	h->t0 = loop_now(sh->loop);
	sh->active++;
	if (!sess_alive(h->sess)) {
		h->reviving = 1;
		return 1;
	}
	shard_emit(sh, DROVE_EV_START, i, NULL, 0);
	if (!f->connect_only && ((job = f->make_job(f, i)) == NULL ||
	    sess_run_job(h->sess, job) != 0)) {
		if (job != NULL)
			job->ops->free(job, 1);
		h->busy = 0;
		sh->active--;
		shard_fail_host(sh, i, DROVE_ST_ERROR, DROVE_E_NOMEM,
		    "out of memory");
	} else if (f->connect_only) {
		h->busy = 0;
		sh->active--;
		h->result.status = DROVE_ST_OK;
		h->result.reached = 1;
		shard_finish(sh, i);
	}
	return 1;
}

/* Whether another session may run. */
static int
shard_room(const struct shard *sh)
{
	return !sh->cancelling && !sh->ff_seen &&
	    (sh->forks == 0 || sh->active < sh->forks);
}

/* Start waiting hosts whose servers have room, oldest server first. */
static void
shard_start_held(struct shard *sh)
{
	struct dest *d, **pp;

	for (pp = &sh->busy; (d = *pp) != NULL && shard_room(sh); ) {
		while (d->qlen > 0 && shard_room(sh) && dest_admit(sh, d)) {
			shard_start_host(sh, d->queue[d->qhead]);
			d->qhead = (d->qhead + 1) % d->qcap;
			d->qlen--;
		}
		if (d->qlen == 0) {
			d->busy = 0;
			*pp = d->next_busy;
		} else
			pp = &d->next_busy;
	}
}

/* Start hosts in order while there is room; pace them per server. */
static void
shard_start(struct loop *l, void *arg)
{
	struct shard *sh = arg;

	(void)l;
	shard_start_held(sh);
	while (sh->next < sh->nhosts && shard_room(sh))
		shard_try_start(sh, sh->hosts[sh->next++]);
	if (sh->busy != NULL && sh->connect_rate > 0 &&
	    !loop_timer_active(&sh->pace_timer))
		loop_timer_start(sh->loop, &sh->pace_timer,
		    (uint64_t)(1000.0 / sh->connect_rate) + 1);
	shard_maybe_ask(sh);
}

/* Start host i: on its kept session, else connect, paced per server. */
static void
shard_try_start(struct shard *sh, size_t i)
{
	struct fhost *h = &sh->f->hosts[i];

	if (shard_reuse(sh, i))
		return;
	if (sh->cancelling || sh->ff_seen) {
		shard_emit(sh, DROVE_EV_START, i, NULL, 0);
		shard_fail_host(sh, i, DROVE_ST_CANCELLED, DROVE_E_CANCELLED,
		    "interrupted before it started");
	} else if (h->key != NULL && h->ident == NULL) {
		shard_emit(sh, DROVE_EV_START, i, NULL, 0);
		shard_fail_host(sh, i, DROVE_ST_AUTH, DROVE_E_AUTH,
		    h->result.msg);
	} else if (h->dest->busy || !dest_admit(sh, h->dest)) {
		if (dest_hold(sh, h->dest, i) != 0) {
			shard_emit(sh, DROVE_EV_START, i, NULL, 0);
			shard_fail_host(sh, i, DROVE_ST_ERROR, DROVE_E_NOMEM,
			    "out of memory");
		}
	} else
		shard_start_host(sh, i);
}

/* The caller's periodic tick (shard 0 only); none while a shard asks
 * about host keys: the question owns the terminal. */
static void
shard_tick_cb(struct loop *l, void *arg)
{
	struct shard *sh = arg;
	struct drove_fleet *f = sh->f;
	unsigned int i;

	for (i = 0; i < f->nshards; i++)
		if (__atomic_load_n(&f->shards[i].prompting,
		    __ATOMIC_SEQ_CST) == 1)
			break;
	if (i == f->nshards)
		fleet_tick(f);
	loop_timer_start(l, &sh->tick_timer, f->tick_ms);
}

/* The pace timer: tokens have grown, try the waiting hosts again. */
static void
shard_pace_cb(struct loop *l, void *arg)
{
	shard_start(l, arg);
}

/* End every host not yet started (held or never reached) with msg. */
static void
shard_drop_waiting(struct shard *sh, const char *msg)
{
	struct dest *d;
	size_t i;

	while ((d = sh->busy) != NULL) {
		while (d->qlen > 0) {
			i = d->queue[d->qhead];
			d->qhead = (d->qhead + 1) % d->qcap;
			d->qlen--;
			shard_emit(sh, DROVE_EV_START, i, NULL, 0);
			shard_fail_host(sh, i, DROVE_ST_CANCELLED,
			    DROVE_E_CANCELLED, msg);
		}
		d->busy = 0;
		sh->busy = d->next_busy;
	}
	while (sh->next < sh->nhosts) {
		i = sh->hosts[sh->next++];
		shard_emit(sh, DROVE_EV_START, i, NULL, 0);
		shard_fail_host(sh, i, DROVE_ST_CANCELLED, DROVE_E_CANCELLED,
		    msg);
	}
}

/* Cancel running sessions with msg. */
static void
shard_cancel_running(struct shard *sh, const char *msg)
{
	struct fhost *h;
	size_t i;

	for (i = 0; i < sh->nhosts; i++) {
		h = &sh->f->hosts[sh->hosts[i]];
		if (h->sess == NULL)
			continue;
		if (!sh->f->keep)
			sess_cancel(h->sess, msg);
		else if (h->busy)	/* the job stops, the session stays */
			sess_interrupt(h->sess, msg);
	}
}

/* Act on a fail-fast tripped by this or another shard. */
static void
shard_fail_fast(struct shard *sh)
{
	struct drove_fleet *f = sh->f;
	char msg[300];

	sh->ff_seen = 1;
	snprintf(msg, sizeof msg, "--fail-fast after %s failed",
	    f->hosts[f->ff_host].name);
	if (f->fail_fast == DROVE_FAIL_FAST_CANCEL)
		shard_cancel_running(sh, msg);
	snprintf(msg, sizeof msg, "not started: --fail-fast after %s failed",
	    f->hosts[f->ff_host].name);
	shard_drop_waiting(sh, msg);
}

/* Our stdin is readable: add what it has to the feed (one shard only). */
static void
stdin_cb(struct loop *l, int fd, int events, void *arg)
{
	struct shard *sh = arg;
	struct drove_fleet *f = sh->f;
	size_t room, i;
	ssize_t n;
	char *p;

	(void)events;
	for (;;) {
		if (feed_at_cap(&f->feed) ||
		    (p = feed_space(&f->feed, &room)) == NULL) {
			n = 0;
			break;
		}
		n = read(fd, p, room);
		if (n > 0) {
			feed_commit(&f->feed, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		break;
	}
	if (n == 0 || (n == -1 && errno != EAGAIN)) {
		f->feed.eof = 1;
		shard_unwatch_stdin(sh);
	}
	for (i = 0; i < sh->nhosts; i++)
		if (f->hosts[sh->hosts[i]].sess != NULL)
			sess_wake(f->hosts[sh->hosts[i]].sess);
	(void)l;
}

/* Read stdin as it comes (a pipe or terminal), non-blocking. */
int
shard_watch_stdin(struct shard *sh)
{
	struct drove_fleet *f = sh->f;

	f->stdin_flags = fcntl(f->stdin_fd, F_GETFL);
	if (f->stdin_flags != -1 && !(f->stdin_flags & O_NONBLOCK))
		fcntl(f->stdin_fd, F_SETFL, f->stdin_flags | O_NONBLOCK);
	else
		f->stdin_flags = -1;
	if (loop_watch(sh->loop, f->stdin_fd, LOOP_READ, stdin_cb, sh) != 0) {
		shard_unwatch_stdin(sh);
		return DROVE_E_IO;
	}
	sh->stdin_watched = 1;
	return 0;
}

/* Stop reading stdin and give it back its flags. */
void
shard_unwatch_stdin(struct shard *sh)
{
	struct drove_fleet *f = sh->f;

	if (sh->stdin_watched)
		loop_unwatch(sh->loop, f->stdin_fd);
	sh->stdin_watched = 0;
	if (f->stdin_flags != -1)
		fcntl(f->stdin_fd, F_SETFL, f->stdin_flags);
	f->stdin_flags = -1;
}

/* Make the shard's loop and what its sessions share. */
int
shard_setup(struct shard *sh)
{
	struct drove_fleet *f = sh->f;
	struct drove_err e;
	const char *sock, *w;
	struct fhost *h;
	size_t i;

	loop_task_init(&sh->start_task, shard_start, sh);
	if ((sh->loop = loop_new()) == NULL ||
	    (sh->resolver = resolve_new(sh->loop, SHARD_RESOLVERS)) == NULL)
		return err_set(&sh->err, DROVE_E_NOMEM, "event loop: %s",
		    strerror(errno));
	loop_timer_init(&sh->pace_timer, shard_pace_cb, sh);
	loop_timer_init(&sh->tick_timer, shard_tick_cb, sh);
	err_clear(&e);
	if (kh_load(f->known_hosts_path, &sh->kh, &e) != 0)
		return err_set(&sh->err, e.code, "%s", e.msg);
	if (sh->id == 0 && (w = kh_load_warning(sh->kh)) != NULL)
		snprintf(f->warning, sizeof f->warning, "%s", w);
	if (f->use_agent && (sock = getenv("SSH_AUTH_SOCK")) != NULL &&
	    *sock != '\0' && (sh->agent = agent_new(sh->loop, sock)) == NULL)
		return err_set(&sh->err, DROVE_E_NOMEM, "out of memory");
	/* a job that writes local files (pull) does so off the loop */
	if (f->host_fds > 1 && (sh->writer = fw_new(SHARD_WRITERS)) == NULL)
		return err_set(&sh->err, DROVE_E_NOMEM, "writer threads: %s",
		    strerror(errno));
	if ((sh->jump = jump_new(&sh->cfg, f->jump_channels, sh->connect_rate,
	    sh->max_startups)) == NULL)
		return err_set(&sh->err, DROVE_E_NOMEM, "out of memory");
	for (sh->ndests_cap = 16; sh->ndests_cap < 2 * sh->nhosts; )
		sh->ndests_cap *= 2;
	if ((sh->dests = calloc(sh->ndests_cap, sizeof *sh->dests)) == NULL)
		return err_set(&sh->err, DROVE_E_NOMEM, "out of memory");
	for (i = 0; i < sh->nhosts; i++) {
		h = &f->hosts[sh->hosts[i]];
		h->shard = sh;
		h->dest = dest_get(sh, h->address ? h->address : h->name,
		    h->port > 0 ? h->port : 22);
		if (h->dest == NULL || (h->jump != NULL &&
		    jump_want(sh->jump, h->jump) != 0))
			return err_set(&sh->err, DROVE_E_NOMEM,
			    "out of memory");
	}
	sh->cfg.loop = sh->loop;
	sh->cfg.resolver = sh->resolver;
	sh->cfg.writer = sh->writer;
	sh->cfg.kh = sh->kh;
	sh->cfg.policy = f->policy;
	sh->cfg.agent = sh->agent;
	sh->cfg.idents = f->idents;
	sh->cfg.nidents = f->nidents;
	sh->cfg.nexplicit = f->nid_paths;
	sh->cfg.password = f->password;
	sh->cfg.local_user = f->local_user;
	sh->cfg.connect_timeout_ms = f->connect_timeout_ms;
	sh->cfg.command_timeout_ms = f->command_timeout_ms;
	sh->cfg.keepalive_s = f->keepalive_s;
	sh->cfg.retries = f->retries;
	sh->cfg.paused = &sh->prompting;
	sh->cfg.rbuf = sh->rbuf;
	sh->cfg.keyscan = f->keyscan;
	sh->cfg.scan_types = f->scan_types;
	if (f->policy == DROVE_HOSTKEY_ASK && f->ask_cb == NULL)
		sh->cfg.policy = DROVE_HOSTKEY_STRICT;
	return 0;
}

/* Take a host added since the shard was made: its server's record, in a
 * table that grows to stay at most half full. */
int
shard_adopt(struct shard *sh, size_t host)
{
	struct fhost *h = &sh->f->hosts[host];
	struct dest **old = sh->dests, *d;
	size_t i, k, n = 0, cap = sh->ndests_cap;

	for (i = 0; i < cap; i++)
		n += old[i] != NULL;
	if ((n + 1) * 2 > cap) {
		if ((sh->dests = calloc(cap * 2, sizeof *sh->dests)) == NULL) {
			sh->dests = old;
			return DROVE_E_NOMEM;
		}
		sh->ndests_cap = cap * 2;
		for (i = 0; i < cap; i++) {
			if ((d = old[i]) == NULL)
				continue;
			for (k = dest_hash(d->address, d->port) &
			    (sh->ndests_cap - 1); sh->dests[k] != NULL;
			    k = (k + 1) & (sh->ndests_cap - 1))
				continue;
			sh->dests[k] = d;
		}
		free(old);
	}
	h->shard = sh;
	h->dest = dest_get(sh, h->address ? h->address : h->name,
	    h->port > 0 ? h->port : 22);
	return h->dest != NULL ? 0 : DROVE_E_NOMEM;
}

/* Ready a kept shard for its next run (keep_begin has set its hosts). */
void
shard_rearm(struct shard *sh)
{
	struct drove_fleet *f = sh->f;
	struct fhost *h;
	size_t i;

	sh->next = 0;
	sh->active = 0;
	sh->finished = 0;
	sh->cancelling = 0;
	sh->ff_seen = 0;
	sh->prompting = 0;
	sh->nheld = 0;
	err_clear(&sh->err);
	sh->cfg.connect_timeout_ms = f->connect_timeout_ms;
	sh->cfg.command_timeout_ms = f->command_timeout_ms;
	sh->cfg.retries = f->retries;
	/* the run's hosts behind jump hosts want them again (shard_finish
	 * let them go) */
	for (i = 0; i < sh->nhosts; i++) {
		h = &f->hosts[sh->hosts[i]];
		if (h->jump != NULL && jump_want(sh->jump, h->jump) != 0)
			err_set(&sh->err, DROVE_E_NOMEM, "out of memory");
	}
}

/* Write the keys the run added to a known_hosts file; a failure becomes
 * the run's warning, unless it has one. */
static void
shard_kh_flush(struct shard *sh, struct known_hosts *kh)
{
	struct drove_err e;

	err_clear(&e);
	if (kh_flush(kh, &e) != 0 && sh->f->warning[0] == '\0')
		snprintf(sh->f->warning, sizeof sh->f->warning, "%s", e.msg);
}

/* Free what shard_setup made; NULL-safe parts, any stage. */
void
shard_teardown(struct shard *sh)
{
	size_t i;

	if (sh->prompting != 0)
		pthread_join(sh->prompt_thread, NULL);
	free(sh->queries);
	free(sh->fps);
	free(sh->rejected);
	for (i = 0; i < sh->nevents; i++)
		free(sh->events[i].data);
	free(sh->events);
	free(sh->held);
	if (sh->loop != NULL)
		shard_unwatch_stdin(sh);
	resolve_free(sh->resolver);
	sh->resolver = NULL;
	fw_free(sh->writer);		/* what it ran said so to the loop */
	sh->writer = NULL;
	if (sh->loop != NULL)
		loop_run_once(sh->loop, 0);	/* free cancelled lookups and
						   the work of freed jobs */
	agent_free(sh->agent);
	sh->agent = NULL;
	shard_kh_flush(sh, sh->kh);
	kh_free(sh->kh);
	sh->kh = NULL;
	for (i = 0; i < sh->nkhs; i++) {
		shard_kh_flush(sh, sh->khs[i].kh);
		kh_free(sh->khs[i].kh);
	}
	free(sh->khs);
	sh->khs = NULL;
	sh->nkhs = 0;
	for (i = 0; i < sh->ndests_cap && sh->dests != NULL; i++) {
		if (sh->dests[i] != NULL)
			free(sh->dests[i]->queue);
		free(sh->dests[i]);
	}
	free(sh->dests);
	sh->dests = NULL;
	jump_free(sh->jump);
	sh->jump = NULL;
	free(sh->hosts);
	sh->hosts = NULL;
	loop_free(sh->loop);
	sh->loop = NULL;
}

/* Begin the shard's run: its first hosts start on the first turn. */
void
shard_begin(struct shard *sh)
{
	struct drove_fleet *f = sh->f;

	loop_task_queue(sh->loop, &sh->start_task);
	if (sh->id == 0 && f->tick_cb != NULL)
		loop_timer_start(sh->loop, &sh->tick_timer, f->tick_ms);
}

/* One turn of the shard's loop, waiting at most timeout_ms (-1: until
 * something happens); 0 or DROVE_E_* (sh->err set). */
int
shard_turn(struct shard *sh, int timeout_ms)
{
	struct drove_fleet *f = sh->f;
	int rc;

	if (f->cancel && !sh->cancelling) {
		sh->cancelling = 1;
		shard_cancel_running(sh, NULL);
		shard_drop_waiting(sh, "interrupted before it started");
	}
	if (!sh->ff_seen && __atomic_load_n(&f->ff_host,
	    __ATOMIC_SEQ_CST) != SIZE_MAX)
		shard_fail_fast(sh);
	if ((rc = loop_run_once(sh->loop, timeout_ms)) != 0)
		return err_set(&sh->err, rc, "event loop: %s",
		    strerror(errno));
	return 0;
}

/* Whether every host of the shard has ended. */
int
shard_done(const struct shard *sh)
{
	return sh->finished >= sh->nhosts && jump_idle(sh->jump);
}

/* End the shard's run once every host has ended. */
void
shard_end(struct shard *sh)
{
	size_t i;

	if (sh->prompting == 1) {
		/* every host ended (cancelled) while the user was asked:
		 * the answer no longer matters, the held events do, after
		 * the question has left the terminal */
		pthread_join(sh->prompt_thread, NULL);
		sh->prompting = 0;
		for (i = 0; i < sh->nevents; i++) {
			fleet_emit(sh->f, sh->events[i].type,
			    sh->events[i].host, sh->events[i].data,
			    sh->events[i].len);
			free(sh->events[i].data);
		}
		sh->nevents = 0;
	}
}

/* Run the shard's hosts to their end; 0 or DROVE_E_* (sh->err set). */
int
shard_run(struct shard *sh)
{
	int rc;

	shard_begin(sh);
	while (!shard_done(sh))
		if ((rc = shard_turn(sh, -1)) != 0)
			return rc;
	shard_end(sh);
	return 0;
}

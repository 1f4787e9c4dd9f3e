/*
 * fleet-become.c: the become settings of a fleet and of its hosts
 * (drove_fleet_set_become(), the become fields of a hostspec) and the
 * random marker each run gives sudo's prompt.  The jobs (jobs/become.c)
 * read them through fleet_become_of().  Passwords are wiped when freed.
 */
#include <sys/random.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "engine/fleet.h"

/* Wipe and free a become password. */
static void
wipe(char *p)
{
	if (p != NULL) {
		explicit_bzero(p, strlen(p));
		free(p);
	}
}

/* Free the strings of a become setting. */
void
fleet_become_release(struct fbecome *b)
{
	free(b->user);
	wipe(b->password);
	b->user = b->password = NULL;
}

/* A become method by name; -1 when it is none. */
static int
method_of(const char *v)
{
	if (strcmp(v, "sudo") == 0)
		return DROVE_BECOME_SUDO;
	if (strcmp(v, "su") == 0)
		return DROVE_BECOME_SU;
	return -1;
}

/* A yes/no value; -1 when it is neither. */
static int
bool_of(const char *v)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0 || strcasecmp(v, "on") == 0)
		return 1;
	if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0 || strcasecmp(v, "off") == 0)
		return 0;
	return -1;
}

/* Set the fleet's become settings. */
int
drove_fleet_set_become(drove_fleet *f, const struct drove_become *b)
{
	struct fbecome nb = { 0, NULL, DROVE_BECOME_SUDO, NULL };

	if (b != NULL && b->method != DROVE_BECOME_SUDO &&
	    b->method != DROVE_BECOME_SU)
		return err_set(&f->err, DROVE_E_INVAL, "bad become method %d",
		    (int)b->method);
	if (b != NULL) {
		nb.on = b->on != 0;
		nb.method = b->method;
		if ((b->user != NULL && (nb.user = strdup(b->user)) == NULL) ||
		    (b->password != NULL &&
		    (nb.password = strdup(b->password)) == NULL)) {
			fleet_become_release(&nb);
			return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
		}
	}
	fleet_become_release(&f->become);
	f->become = nb;
	return 0;
}

/* Copy a hostspec's become settings into h. */
int
fleet_become_host(drove_fleet *f, struct fhost *h,
    const struct drove_hostspec *spec)
{
	struct fbecome *b = &h->become;

	b->on = b->method = -1;
	b->user = b->password = NULL;
	if (spec->become != NULL && (b->on = bool_of(spec->become)) == -1)
		return err_set(&f->err, DROVE_E_INVAL, "%s: bad become '%s' "
		    "(yes or no)", spec->name, spec->become);
	if (spec->become_method != NULL &&
	    (b->method = method_of(spec->become_method)) == -1)
		return err_set(&f->err, DROVE_E_INVAL, "%s: bad become method "
		    "'%s' (sudo or su)", spec->name, spec->become_method);
	if ((spec->become_user != NULL &&
	    (b->user = strdup(spec->become_user)) == NULL) ||
	    (spec->become_password != NULL &&
	    (b->password = strdup(spec->become_password)) == NULL)) {
		fleet_become_release(b);
		return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
	}
	return 0;
}

/* Draw the run's marker: random hex, from the clock and pid only when
 * the kernel has no randomness to give. */
void
fleet_become_mark(drove_fleet *f)
{
	unsigned char r[FLEET_MARK_LEN / 2];
	struct timespec ts;
	size_t i;

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
		clock_gettime(CLOCK_REALTIME, &ts);
		srandom((unsigned int)(ts.tv_nsec ^ ts.tv_sec ^ getpid()));
		for (i = 0; i < sizeof r; i++)
			r[i] = (unsigned char)random();
	}
	for (i = 0; i < sizeof r; i++)
		snprintf(f->become_mark + 2 * i, 3, "%02x", r[i]);
}

/* Host's become settings after its own and the fleet's. */
int
fleet_become_of(const drove_fleet *f, size_t host, struct fbecome *out)
{
	const struct fbecome *h = &f->hosts[host].become;

	out->on = h->on != -1 ? h->on : f->become.on;
	out->method = h->method != -1 ? h->method : f->become.method;
	out->user = h->user != NULL ? h->user : f->become.user;
	out->password = h->password != NULL ? h->password :
	    f->become.password;
	return out->on;
}

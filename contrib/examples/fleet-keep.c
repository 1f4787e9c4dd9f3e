/*
 * fleet-keep.c: run commands one after another on several hosts over
 * sessions that stay open between them (drove_fleet_set_keep_sessions):
 * each host is connected once, then every command is a new channel on its
 * session.  Commands come from stdin, one a line; each host's output is
 * printed gathered, as "== host: exit N" and its stdout.
 *
 * Usage: fleet-keep KNOWN_HOSTS KEY INVENTORY <commands
 * (INVENTORY: an Ansible YAML inventory or a host list file)
 * Build: cc fleet-keep.c $(pkg-config --cflags --libs drove)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove.h>

/* Each host's stdout of the running command. */
struct outs {
	char	**text;
	size_t	 *len;
};

/* Keep stdout chunks per host. */
static void
on_event(const struct drove_event *ev, void *arg)
{
	struct outs *o = arg;
	char *p;

	if (ev->type != DROVE_EV_STDOUT)
		return;
	if ((p = realloc(o->text[ev->host], o->len[ev->host] + ev->len +
	    1)) == NULL)
		return;
	memcpy(p + o->len[ev->host], ev->data, ev->len);
	o->len[ev->host] += ev->len;
	p[o->len[ev->host]] = '\0';
	o->text[ev->host] = p;
}

/* Print each host's outcome and output, then forget the output. */
static int
report(drove_fleet *fleet, struct outs *o)
{
	const struct drove_result *r;
	size_t i;
	int bad = 0;

	for (i = 0; i < drove_fleet_host_count(fleet); i++) {
		if ((r = drove_fleet_result(fleet, i)) == NULL)
			continue;
		printf("== %s: %s", drove_fleet_host_name(fleet, i),
		    drove_status_name(r->status));
		if (r->exit_code >= 0)
			printf(" (exit %d)", r->exit_code);
		if (r->msg[0] != '\0')
			printf(": %s", r->msg);
		printf("\n%s", o->text[i] != NULL ? o->text[i] : "");
		bad |= r->status != DROVE_ST_OK;
		free(o->text[i]);
		o->text[i] = NULL;
		o->len[i] = 0;
	}
	return bad;
}

int
main(int argc, char **argv)
{
	struct drove_hostspec spec;
	struct outs o = { NULL, NULL };
	drove_inventory *inv;
	drove_fleet *fleet;
	char line[4096];
	size_t i, n = 0;
	int rc = 2, bad = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: fleet-keep KNOWN_HOSTS KEY INVENTORY "
		    "<commands\n");
		return 2;
	}
	inv = drove_inventory_new();
	fleet = drove_fleet_new();
	if (inv == NULL || fleet == NULL)
		goto out;
	if (drove_inventory_load(inv, argv[3]) != 0) {
		fprintf(stderr, "%s\n", drove_inventory_error(inv));
		goto out;
	}
	n = drove_inventory_count(inv);
	o.text = calloc(n, sizeof *o.text);
	o.len = calloc(n, sizeof *o.len);
	if (o.text == NULL || o.len == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		drove_inventory_hostspec(inv, i, &spec);
		if (drove_fleet_add_host(fleet, &spec) < 0)
			goto fail;
	}
	if (drove_fleet_set_known_hosts(fleet, argv[1]) != 0 ||
	    drove_fleet_add_identity(fleet, argv[2]) != 0 ||
	    drove_fleet_use_agent(fleet, 0) != 0 ||
	    drove_fleet_set_keep_sessions(fleet, 1) != 0)
		goto fail;
	drove_fleet_set_event_cb(fleet, on_event, &o);
	while (fgets(line, sizeof line, stdin) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0')
			continue;
		printf("$ %s\n", line);
		if (drove_fleet_exec(fleet, line, -1) != 0 ||
		    drove_fleet_run(fleet) != 0)
			goto fail;
		bad |= report(fleet, &o);
		fflush(stdout);
	}
	drove_fleet_close_sessions(fleet);
	rc = bad;
	goto out;
 fail:
	fprintf(stderr, "fleet-keep: %s\n", drove_fleet_error(fleet));
 out:
	drove_fleet_free(fleet);
	drove_inventory_free(inv);
	for (i = 0; o.text != NULL && i < n; i++)
		free(o.text[i]);
	free(o.text);
	free(o.len);
	return rc;
}

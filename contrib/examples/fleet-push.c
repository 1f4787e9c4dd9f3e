/*
 * fleet-push.c: push one file to a group of hosts with libdrove, skipping
 * the hosts whose copy already has the same SHA-256, and print one line
 * per host: changed, unchanged, or why it failed.
 *
 * Usage: fleet-push KNOWN_HOSTS KEY SRC DEST USER ADDRESS PORT...
 * Build: cc fleet-push.c $(pkg-config --cflags --libs drove)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove.h>

int
main(int argc, char **argv)
{
	struct drove_push_opts po = {
		.mkdir = 1, .mode = -1, .owner = -1, .group = -1,
		.checksum = 1
	};
	const char *src;
	const struct drove_result *r;
	struct drove_hostspec spec;
	drove_fleet *fleet;
	char name[64];
	size_t i;
	int rc = 2;

	if (argc < 8) {
		fprintf(stderr, "usage: fleet-push KNOWN_HOSTS KEY SRC DEST "
		    "USER ADDRESS PORT...\n");
		return 2;
	}
	if ((fleet = drove_fleet_new()) == NULL)
		return 2;
	for (i = 7; i < (size_t)argc; i++) {
		memset(&spec, 0, sizeof spec);
		snprintf(name, sizeof name, "%s:%s", argv[6], argv[i]);
		spec.name = name;
		spec.address = argv[6];
		spec.port = atoi(argv[i]);
		spec.user = argv[5];
		if (drove_fleet_add_host(fleet, &spec) < 0)
			goto fail;
	}
	src = argv[3];
	if (drove_fleet_set_known_hosts(fleet, argv[1]) != 0 ||
	    drove_fleet_add_identity(fleet, argv[2]) != 0 ||
	    drove_fleet_use_agent(fleet, 0) != 0 ||
	    drove_fleet_push(fleet, &po, &src, 1, argv[4]) != 0 ||
	    drove_fleet_run(fleet) != 0)
		goto fail;
	rc = 0;
	for (i = 0; i < drove_fleet_host_count(fleet); i++) {
		r = drove_fleet_result(fleet, i);
		if (r->status != DROVE_ST_OK) {
			printf("%s: %s: %s\n", drove_fleet_host_name(fleet, i),
			    drove_status_name(r->status), r->msg);
			rc = 1;
		} else
			printf("%s: %s\n", drove_fleet_host_name(fleet, i),
			    r->changed ? "changed" : "unchanged");
	}
	goto out;
 fail:
	fprintf(stderr, "fleet-push: %s\n", drove_fleet_error(fleet));
 out:
	drove_fleet_free(fleet);
	return rc;
}

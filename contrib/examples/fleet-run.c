/*
 * fleet-run.c: run one command on several hosts with libdrove and print one
 * JSON object per host, the smallest complete use of the fleet API.
 *
 * Usage: fleet-run KNOWN_HOSTS KEY COMMAND [user@]host[:port]...
 * Build: cc fleet-run.c $(pkg-config --cflags --libs drove)
 */
#include <stdio.h>
#include <stdlib.h>

#include <drove.h>

int
main(int argc, char **argv)
{
	struct drove_sink_opts so = { .mode = DROVE_OUT_JSON };
	struct drove_hostspec spec;
	drove_inventory *inv;
	drove_fleet *fleet;
	drove_sink *sink;
	char err[256];
	size_t i;
	int rc = 2;

	if (argc < 5) {
		fprintf(stderr, "usage: fleet-run KNOWN_HOSTS KEY COMMAND "
		    "HOST...\n");
		return 2;
	}
	inv = drove_inventory_new();
	fleet = drove_fleet_new();
	sink = drove_sink_new(&so, err, sizeof err);
	if (inv == NULL || fleet == NULL || sink == NULL)
		goto out;
	for (i = 4; i < (size_t)argc; i++)
		if (drove_inventory_add_list(inv, argv[i]) != 0) {
			fprintf(stderr, "%s\n", drove_inventory_error(inv));
			goto out;
		}
	for (i = 0; i < drove_inventory_count(inv); i++) {
		drove_inventory_hostspec(inv, i, &spec);
		if (drove_fleet_add_host(fleet, &spec) < 0)
			goto fail;
	}
	if (drove_fleet_set_known_hosts(fleet, argv[1]) != 0 ||
	    drove_fleet_add_identity(fleet, argv[2]) != 0 ||
	    drove_fleet_use_agent(fleet, 0) != 0 ||
	    drove_fleet_exec(fleet, argv[3], -1) != 0)
		goto fail;
	drove_fleet_set_event_cb(fleet, drove_sink_event, sink);
	if (drove_fleet_run(fleet) != 0)
		goto fail;
	drove_sink_finish(sink);
	rc = drove_sink_counts(sink)[DROVE_ST_OK] == drove_fleet_host_count(
	    fleet) ? 0 : 1;
	goto out;
 fail:
	fprintf(stderr, "fleet-run: %s\n", drove_fleet_error(fleet));
 out:
	drove_sink_free(sink);
	drove_fleet_free(fleet);
	drove_inventory_free(inv);
	return rc;
}

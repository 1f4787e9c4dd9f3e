/*
 * fuzz-ini.c: libFuzzer target for the INI inventory loader: the
 * inventory target with every input read as INI (a file named .ini), then
 * exported as YAML and loaded back to the same hosts, groups and vars.
 */
#define FUZZ_EXT ".ini"
#include "fuzz-inventory.c"

#!/bin/sh
# t-fuzz-corpus.sh: every input of the fuzz corpora (seeds and the inputs
# that once crashed) still goes through the YAML loader, the INI loader, the
# pattern parser, the ssh_config parser, the playbook loader and the
# expression and template evaluator cleanly under ASan and UBSan.  `make fuzz`
# searches for new ones.
cd "$FX_ROOT" || exit 1
sh tests/fuzz/run.sh --replay

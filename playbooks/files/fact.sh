#!/bin/sh
# fact.sh NAME: print one fact about this host.
case $1 in
kernel) uname -r ;;
hostname) uname -n ;;
*) echo "fact.sh: unknown fact '$1'" >&2; exit 2 ;;
esac

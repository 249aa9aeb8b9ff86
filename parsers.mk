# SPDX-License-Identifier: GPL-2.0
#
# The pure-C parsers and planner, relative to the top of the tree: built
# into nf_conntrack_sipalg.ko and into the unit tests, the fuzzers and the
# benchmark; Kbuild and those Makefiles all include this file.
PARSER_SOURCES := sip_parse.c sip_uri.c sip_naddr.c sip_via.c sip_body.c \
	sdp_parse.c sip_plan.c

// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: sdp_parse() on arbitrary bytes, span invariants. */
#include "sdp_parse.h"
#include "fuzz_common.h"

static struct sdp_msg s;

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	const char *b = (const char *)data;
	u32 len = (u32)size, i, off;
	int r;

	if (size > 65535)
		return 0;
	/* parse the whole buffer, and a suffix of it (non-zero offset) */
	for (off = 0; off <= (len ? 1u : 0u); off++) {
		r = sdp_parse(b, len, off, len - off, &s);
		CHECK(r == s.err && r <= 0);
		if (r)
			continue;
		CHECK(s.n_media <= SDP_MAX_MEDIA);
		span_ok(s.o_addr.addr, len);
		span_ok(s.conn.addr, len);
		for (i = 0; i < s.n_media; i++) {
			const struct sdp_media *md = &s.media[i];

			span_ok(md->port, len);
			span_ok(md->rtcp_port, len);
			span_ok(md->conn.addr, len);
			span_ok(md->rtcp_conn.addr, len);
			CHECK(md->port.off >= off);
			CHECK(md->eff_dir >= SDP_DIR_SENDRECV &&
			      md->eff_dir <= SDP_DIR_INACTIVE);
			CHECK(md->port_count >= 1);
		}
	}
	return 0;
}

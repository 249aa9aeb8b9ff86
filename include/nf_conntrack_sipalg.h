/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What nf_conntrack_sipalg.ko and nf_nat_sipalg.ko share.
 */
#ifndef _NF_CONNTRACK_SIPALG_H
#define _NF_CONNTRACK_SIPALG_H

#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_expect.h>

#define SIPALG_HELPER_NAME	"sipalg"
#define SIPALG_MAX_PORTS	8

/* Expectation classes (at most NF_CT_MAX_EXPECT_CLASSES). */
enum sipalg_expect_class {
	SIPALG_EXPECT_SIGNALLING,
	SIPALG_EXPECT_MEDIA,
	__SIPALG_EXPECT_MAX
};

/*
 * The NAT side, published by nf_nat_sipalg.ko through an RCU pointer so that
 * either module can be loaded first and unloaded safely.  The conntrack side
 * calls it only for NATed flows (IPS_NAT_MASK), under the RCU read lock that
 * every netfilter hook holds.
 */
struct sipalg_nat_hooks {
	/*
	 * Map @exp (and @pair, the RTCP of an RTP expectation, or NULL)
	 * through the NAT of @exp's master and register them.  @newaddr is
	 * where the translated expectation waits (the master's address on
	 * the far side).  On success *port / *pair_port hold the ports the
	 * expectations were registered with (host order).  Returns 0 or a
	 * negative errno; nothing stays registered on error.
	 */
	int (*expect)(struct nf_conn *ct, enum ip_conntrack_dir dir,
		      const union nf_inet_addr *newaddr,
		      struct nf_conntrack_expect *exp,
		      struct nf_conntrack_expect *pair,
		      u16 *port, u16 *pair_port);

	/*
	 * Replace @len bytes at @off (from the start of the transport
	 * payload, which starts at @dataoff) with @rep.  Returns false when
	 * the packet could not be changed.
	 */
	bool (*mangle)(struct sk_buff *skb, unsigned int protoff,
		       unsigned int dataoff, struct nf_conn *ct,
		       enum ip_conntrack_info ctinfo, unsigned int off,
		       unsigned int len, const char *rep, unsigned int rep_len);

	/* TCP: record that this segment's payload changed size by @off. */
	void (*seq_adjust)(struct sk_buff *skb, unsigned int protoff,
			   struct nf_conn *ct, enum ip_conntrack_info ctinfo,
			   s32 off);
};

extern const struct sipalg_nat_hooks __rcu *sipalg_nat_hooks;

/*
 * Is @addr:@port the public end of a media pinhole that a call still holds?
 * For the NAT side's port choice; only while media pinholes are being set
 * up (the call table's lock is held then).
 */
bool sipalg_port_in_use(const union nf_inet_addr *addr, __be16 port);

/* From a media expectation's callback: a flow arrived on the pinhole. */
void sipalg_media_matched(struct nf_conn *ct,
			  const struct nf_conntrack_expect *exp);

#endif /* _NF_CONNTRACK_SIPALG_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * TCP: the packets the router makes itself for held bytes: a pure ACK to the
 * sender, as the receiver would send it, and GSO for a joined segment
 * larger than the path's MTU.
 */
#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/ip6_route.h>
#include <net/ip6_checksum.h>
#include <net/tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_seqadj.h>

#include "sipalg.h"
#include "tcp_hold.h"

/*
 * RFC 7323 timestamps for the router's ACK.  Once a connection uses them,
 * a segment without them may be dropped ("SHOULD silently drop", 3.2), and
 * one whose TSval is older than the last the sender took fails PAWS.  They
 * are taken from the segment that the ACK answers: sent on the sender's
 * segment, its TSecr (the receiver's latest TSval the sender saw) and its
 * TSval; sent on the receiver's ACK, that segment's own pair.
 */
void sipalg_ack_ts(const struct sk_buff *skb, unsigned int protoff,
		   bool from_sender, struct sipalg_tcp_ts *ts)
{
	u8 buf[MAX_TCP_OPTION_SPACE];
	const struct tcphdr *th;
	struct tcphdr _th;
	unsigned int len, i = 0;
	const u8 *o;

	ts->ok = false;
	ts->sig = false;
	ts->oif = 0;
	th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);
	if (!th || th->doff * 4 <= sizeof(*th))
		return;
	len = th->doff * 4 - sizeof(*th);
	o = skb_header_pointer(skb, protoff + sizeof(*th), len, buf);
	if (!o)
		return;
	while (i < len && o[i] != TCPOPT_EOL) {
		if (o[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2 || o[i + 1] < 2 || o[i + 1] > len - i)
			return;
		if (o[i] == TCPOPT_TIMESTAMP && o[i + 1] == TCPOLEN_TIMESTAMP) {
			memcpy(from_sender ? &ts->ecr : &ts->val, o + i + 2, 4);
			memcpy(from_sender ? &ts->val : &ts->ecr, o + i + 6, 4);
			ts->ok = true;
		}
		if (o[i] == TCPOPT_MD5SIG || o[i] == SIPALG_TCPOPT_AO)
			ts->sig = true;
		i += o[i + 1];
	}
}

/*
 * The TCP header of an ACK up to @ack for the sender in @dir: from the
 * receiver's port to the sender's, with the receiver's next sequence number
 * as the sender knows it (through seqadj) and the window's right edge the
 * receiver last announced.
 */
static void ack_fill_tcp(struct nf_conn *ct, enum ip_conntrack_dir dir,
			 u32 ack, const struct sipalg_tcp_ts *ts,
			 struct tcphdr *th, unsigned int tcplen)
{
	const struct nf_conntrack_tuple *t = &ct->tuplehash[dir].tuple;
	u32 seq, right, maxwin;
	u8 scale;

	spin_lock_bh(&ct->lock);
	seq = ct->proto.tcp.seen[!dir].td_end;
	maxwin = ct->proto.tcp.seen[!dir].td_maxwin;
	scale = ct->proto.tcp.seen[!dir].td_scale;
	right = ct->proto.tcp.seen[dir].td_maxend;
	seq += nf_ct_seq_offset(ct, !dir, seq);
	spin_unlock_bh(&ct->lock);

	th->source = t->dst.u.tcp.port;
	th->dest = t->src.u.tcp.port;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = tcplen / 4;
	th->ack = 1;
	th->window = htons(tcp_ack_window(right, ack, maxwin, scale));
	if (ts->ok) {
		__be32 *opt = (__be32 *)(th + 1);

		*opt++ = htonl((TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) |
			       (TCPOPT_TIMESTAMP << 8) | TCPOLEN_TIMESTAMP);
		*opt++ = ts->val;
		*opt = ts->ecr;
	}
}

/*
 * IPv4 header, checksum, route (from the receiver's address, not ours), and
 * out; @skb is consumed whatever the result.
 */
static int ack_out4(struct net *net, struct sk_buff *skb,
		    const struct nf_conntrack_tuple *t, unsigned int tcplen,
		    int oif)
{
	struct iphdr *iph = ip_hdr(skb);
	struct tcphdr *th = tcp_hdr(skb);
	struct flowi4 fl4 = {};
	struct rtable *rt;

	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->frag_off = htons(IP_DF);
	iph->protocol = IPPROTO_TCP;
	iph->saddr = t->dst.u3.ip;
	iph->daddr = t->src.u3.ip;
	th->check = tcp_v4_check(tcplen, iph->saddr, iph->daddr,
				 csum_partial(th, tcplen, 0));
	fl4.daddr = iph->daddr;
	fl4.saddr = iph->saddr;
	fl4.flowi4_proto = IPPROTO_TCP;
	fl4.flowi4_flags = FLOWI_FLAG_ANYSRC;
	fl4.flowi4_mark = skb->mark;
	fl4.flowi4_oif = oif;
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt)) {
		kfree_skb(skb);
		return PTR_ERR(rt);
	}
	skb_dst_set(skb, &rt->dst);
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	skb->protocol = htons(ETH_P_IP);
	return ip_local_out(net, NULL, skb);
}

/* The same for IPv6. */
static int ack_out6(struct net *net, struct sk_buff *skb,
		    const struct nf_conntrack_tuple *t, unsigned int tcplen,
		    int oif)
{
#if IS_ENABLED(CONFIG_IPV6)
	struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct tcphdr *th = tcp_hdr(skb);
	struct flowi6 fl6 = {};
	struct dst_entry *dst;
	int err;

	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->nexthdr = IPPROTO_TCP;
	ip6h->saddr = t->dst.u3.in6;
	ip6h->daddr = t->src.u3.in6;
	th->check = tcp_v6_check(tcplen, &ip6h->saddr, &ip6h->daddr,
				 csum_partial(th, tcplen, 0));
	fl6.daddr = ip6h->daddr;
	fl6.saddr = ip6h->saddr;
	fl6.flowi6_proto = IPPROTO_TCP;
	fl6.flowi6_mark = skb->mark;
	fl6.flowi6_oif = oif;
	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error) {
		err = dst->error;
		dst_release(dst);
		kfree_skb(skb);
		return err;
	}
	skb_dst_set(skb, dst);
	ip6h->hop_limit = ip6_dst_hoplimit(dst);
	skb->protocol = htons(ETH_P_IPV6);
	return ip6_local_out(net, NULL, skb);
#else
	kfree_skb(skb);
	return -EAFNOSUPPORT;
#endif
}

/* The flow's mark, which policy routing may need to reach the sender. */
static u32 ack_mark(const struct nf_conn *ct)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK_MARK)
	return READ_ONCE(ct->mark);
#else
	return 0;
#endif
}

/*
 * A pure ACK up to @ack for the sender in @dir, addressed as the sender
 * sees the flow (tuplehash[dir], before NAT).  It is sent untracked:
 * conntrack would check its sequence numbers in OUTPUT before seqadj runs,
 * and an ACK it found out of window would leave without NAT.
 */
void sipalg_ack_send(struct nf_conn *ct, enum ip_conntrack_dir dir, u32 ack,
		     const struct sipalg_tcp_ts *ts)
{
	const struct nf_conntrack_tuple *t = &ct->tuplehash[dir].tuple;
	unsigned int tcplen = sizeof(struct tcphdr) +
			      (ts->ok ? TCPOLEN_TSTAMP_ALIGNED : 0);
	bool v4 = nf_ct_l3num(ct) == NFPROTO_IPV4;
	struct net *net = nf_ct_net(ct);
	struct sk_buff *skb;
	int err = -ENOMEM;

	skb = alloc_skb(LL_MAX_HEADER + sizeof(struct ipv6hdr) + tcplen,
			GFP_ATOMIC);
	if (!skb)
		goto err_count;
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	skb_put_zero(skb, v4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr));
	skb_set_transport_header(skb, skb->len);
	ack_fill_tcp(ct, dir, ack, ts, skb_put_zero(skb, tcplen), tcplen);
	skb->ip_summed = CHECKSUM_NONE;
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);

	/*
	 * Routed as the flow is: with its mark (policy routing by connmark)
	 * and out of the interface the sender's segments came in on.
	 */
	skb->mark = ack_mark(ct);
	err = v4 ? ack_out4(net, skb, t, tcplen, ts->oif) :
		   ack_out6(net, skb, t, tcplen, ts->oif);
	if (net_xmit_eval(err))
		goto err_count;
	SIPALG_INC(net, tcp_acks);
	return;

err_count:
	net_dbg_ratelimited("sipalg: cannot send an ACK for held bytes: %d\n",
			    err);
	SIPALG_INC(net, tcp_ack_failed);
}

/*
 * A joined segment larger than the path would be fragmented, or refused
 * with DF set: have the output path cut it (GSO) at the path's MSS.
 */
bool sipalg_tcp_make_gso(struct sk_buff *skb, u8 family, unsigned int protoff,
			 unsigned int dataoff)
{
	struct tcphdr *th = (struct tcphdr *)(skb->data + protoff);
	const struct dst_entry *dst = skb_dst(skb);
	unsigned int mtu, mss, len = skb->len - protoff;

	if (skb_is_gso(skb)) {
		/* Was one already: only the segment count changed. */
		skb_shinfo(skb)->gso_segs =
			DIV_ROUND_UP(skb->len - dataoff,
				     skb_shinfo(skb)->gso_size);
		return false;
	}
	if (!dst)
		return false;
	mtu = dst_mtu(dst);
	if (skb->len <= mtu || mtu < dataoff + 64)
		return false;
	mss = mtu - dataoff;
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_headroom(skb) + protoff;
	skb->csum_offset = offsetof(struct tcphdr, check);
	if (family == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		th->check = ~tcp_v4_check(len, iph->saddr, iph->daddr, 0);
		skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		th->check = ~tcp_v6_check(len, &ip6h->saddr, &ip6h->daddr, 0);
		skb_shinfo(skb)->gso_type = SKB_GSO_TCPV6;
	}
	skb_shinfo(skb)->gso_size = mss;
	skb_shinfo(skb)->gso_segs = DIV_ROUND_UP(skb->len - dataoff, mss);
	return true;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The SIP ports ("ports") and auto_assign: a new flow to one of them gets the
 * helper without a firewall rule, as the kernel did before 6.0 and vendor
 * ALGs do.
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_seqadj.h>

#include "sipalg.h"

static u16 ports[SIPALG_MAX_PORTS] __read_mostly = { 5060, 5061 };
static unsigned int ports_c __read_mostly = 2;

/* Check one entry of a "ports" list; @n entries before it are good. */
static int ports_parse_one(const char *tok, u16 *parsed, unsigned int n)
{
	unsigned int i;

	if (n == SIPALG_MAX_PORTS) {
		pr_err("ports: at most %d ports; \"%s\" is one too many\n",
		       SIPALG_MAX_PORTS, tok);
		return -EINVAL;
	}
	if (kstrtou16(tok, 10, &parsed[n]) || parsed[n] == 0) {
		pr_err("ports: \"%s\" is not a port number (1-65535)\n", tok);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (parsed[i] == parsed[n]) {
			pr_err("ports: port %u is listed twice\n", parsed[n]);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * "ports" is parsed here rather than by module_param_array(), whose ushort
 * array accepts port 0 and duplicates and names neither the bad value nor
 * why: a refused list names the offending entry.
 */
static int ports_set(const char *val, const struct kernel_param *kp)
{
	u16 parsed[SIPALG_MAX_PORTS];
	unsigned int n = 0;
	char buf[128];
	char *cur, *tok;
	int err;

	if (strscpy(buf, val, sizeof(buf)) < 0) {
		pr_err("ports: list too long: \"%s\"\n", val);
		return -EINVAL;
	}
	cur = strim(buf);
	while ((tok = strsep(&cur, ",")) != NULL) {
		err = ports_parse_one(strim(tok), parsed, n);
		if (err)
			return err;
		n++;
	}
	if (n == 0) {
		pr_err("ports: the list is empty\n");
		return -EINVAL;
	}
	memcpy(ports, parsed, n * sizeof(parsed[0]));
	ports_c = n;
	return 0;
}

int sipalg_ports_format(char *buf, size_t size)
{
	unsigned int i;
	int len = 0;

	for (i = 0; i < ports_c; i++)
		len += scnprintf(buf + len, size - len, "%s%u",
				 i ? "," : "", ports[i]);
	return len;
}

static int ports_get(char *buffer, const struct kernel_param *kp)
{
	int len = sipalg_ports_format(buffer, PAGE_SIZE);

	return len + scnprintf(buffer + len, PAGE_SIZE - len, "\n");
}

static const struct kernel_param_ops ports_ops = {
	.set = ports_set,
	.get = ports_get,
};
module_param_cb(ports, &ports_ops, NULL, 0444);
MODULE_PARM_DESC(ports,
		 "SIP ports, comma separated, at most 8 (default: 5060,5061)");

static bool auto_assign __read_mostly;
module_param(auto_assign, bool, 0444);
MODULE_PARM_DESC(auto_assign,
		 "attach the helper to every new UDP/TCP flow to one of \"ports\" without a firewall rule; the helper then inspects all traffic to those ports (default: 0)");

bool sipalg_auto_assign_on(void)
{
	return auto_assign;
}

static bool port_configured(u16 port)
{
	unsigned int i;

	for (i = 0; i < ports_c; i++)
		if (ports[i] == port)
			return true;
	return false;
}

/*
 * This runs after the filter and NAT hooks and just before the conntrack is
 * confirmed, so a firewall rule that chose a helper (or none) for the flow
 * wins.
 */
static unsigned int sipalg_auto_assign(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	const struct nf_conntrack_tuple *t;
	enum ip_conntrack_info ctinfo;
	struct nf_conn_help *help;
	struct nf_conn *ct;
	u8 l4num;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW || nf_ct_is_confirmed(ct) ||
	    nf_ct_is_template(ct) || ct->master || nfct_help(ct))
		return NF_ACCEPT;
	t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	l4num = t->dst.protonum;
	if ((l4num != IPPROTO_UDP && l4num != IPPROTO_TCP) ||
	    !port_configured(ntohs(t->dst.u.all)))
		return NF_ACCEPT;

	help = nf_ct_helper_ext_add(ct, GFP_ATOMIC);
	if (!help)
		return NF_ACCEPT;
	rcu_assign_pointer(help->helper,
			   sipalg_helper_for(nf_ct_l3num(ct), l4num));
	/* NAT was set up before the flow had a helper: TCP needs seqadj. */
	if ((ct->status & IPS_NAT_MASK) && !nfct_seqadj(ct) &&
	    !nfct_seqadj_ext_add(ct))
		return NF_DROP;
	SIPALG_INC(state->net, auto_assigned);
	return NF_ACCEPT;
}

static const struct nf_hook_ops sipalg_auto_ops[] = {
	{
		.hook		= sipalg_auto_assign,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK_HELPER - 1,
	},
	{
		.hook		= sipalg_auto_assign,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP_PRI_CONNTRACK_HELPER - 1,
	},
	{
		.hook		= sipalg_auto_assign,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP6_PRI_CONNTRACK_HELPER - 1,
	},
	{
		.hook		= sipalg_auto_assign,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP6_PRI_CONNTRACK_HELPER - 1,
	},
};

static int __net_init sipalg_auto_net_init(struct net *net)
{
	return nf_register_net_hooks(net, sipalg_auto_ops,
				     ARRAY_SIZE(sipalg_auto_ops));
}

static void __net_exit sipalg_auto_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, sipalg_auto_ops,
				ARRAY_SIZE(sipalg_auto_ops));
}

static struct pernet_operations sipalg_auto_net_ops = {
	.init	= sipalg_auto_net_init,
	.exit	= sipalg_auto_net_exit,
};

/*
 * After the helpers are registered, and gone before they are unregistered:
 * no new flow may be given a helper that is going away.
 */
int sipalg_auto_init(void)
{
	return auto_assign ? register_pernet_subsys(&sipalg_auto_net_ops) : 0;
}

void sipalg_auto_exit(void)
{
	if (auto_assign)
		unregister_pernet_subsys(&sipalg_auto_net_ops);
}

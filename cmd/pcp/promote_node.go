package main

var promoteNodeCmd = register(&command{
	name:    "pcp_promote_node",
	desc:    "promote a node as new main from pgpool-II",
	operand: "[node-id]",
	options: []option{optNodeID, optGraceful, optSwitchover},
	node:    nodeRequired,
	run: func(x *invocation) error {
		if err := x.client.PromoteNode(x.set.nodeID, x.set.switchover, x.set.gracefully); err != nil {
			return err
		}
		x.commandSuccessful()
		return nil
	},
})

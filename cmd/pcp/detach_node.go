package main

var detachNodeCmd = register(&command{
	name:    "pcp_detach_node",
	desc:    "detach a node from pgpool-II",
	operand: "[node-id]",
	options: []option{optNodeID, optGraceful},
	node:    nodeRequired,
	run: func(x *invocation) error {
		if err := x.client.DetachNode(x.set.nodeID, x.set.gracefully); err != nil {
			return err
		}
		x.commandSuccessful()
		return nil
	},
})

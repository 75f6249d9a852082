package main

var attachNodeCmd = register(&command{
	name:    "pcp_attach_node",
	desc:    "attach a node from pgpool-II",
	operand: "[node-id]",
	options: []option{optNodeID},
	node:    nodeRequired,
	run: func(x *invocation) error {
		if err := x.client.AttachNode(x.set.nodeID); err != nil {
			return err
		}
		x.commandSuccessful()
		return nil
	},
})

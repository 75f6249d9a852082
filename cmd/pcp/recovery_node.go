package main

var recoveryNodeCmd = register(&command{
	name:    "pcp_recovery_node",
	desc:    "recover a node",
	operand: "[node-id]",
	options: []option{optNodeID},
	node:    nodeRequired,
	run: func(x *invocation) error {
		if err := x.client.RecoverNode(x.set.nodeID); err != nil {
			return err
		}
		x.commandSuccessful()
		return nil
	},
})

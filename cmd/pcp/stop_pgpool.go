package main

var stopPgpoolCmd = register(&command{
	name:    "pcp_stop_pgpool",
	desc:    "terminate pgpool-II",
	options: []option{optMode, optScope, optAllUnused},
	run: func(x *invocation) error {
		if err := x.client.StopPgpool(x.set.mode, x.set.scope); err != nil {
			return err
		}
		x.commandSuccessful()
		return nil
	},
})

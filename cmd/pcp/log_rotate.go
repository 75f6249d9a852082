package main

var logRotateCmd = register(&command{
	name:    "pcp_log_rotate",
	desc:    "rotate the Pgpool-II's log file",
	options: []option{optScope},
	run: func(x *invocation) error {
		if err := x.client.LogRotate(x.set.scope); err != nil {
			return err
		}
		x.commandSuccessful()
		return nil
	},
})

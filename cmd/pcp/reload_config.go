package main

var reloadConfigCmd = register(&command{
	name:    "pcp_reload_config",
	desc:    "reload a pgpool-II config file",
	options: []option{optScope},
	run: func(x *invocation) error {
		if err := x.client.ReloadConfig(x.set.scope); err != nil {
			return err
		}
		x.commandSuccessful()
		return nil
	},
})

package main

// optScopeRejected is pcp_invalidate_query_cache's -s: in its getopt string
// but refused with "Invalid argument" (§3.1).
var optScopeRejected = option{'s', "scope", true, ""}

var invalidateQueryCacheCmd = register(&command{
	name:    "pcp_invalidate_query_cache",
	desc:    "invalidate query cache",
	options: []option{optScopeRejected},
	run: func(x *invocation) error {
		if err := x.client.InvalidateQueryCache(); err != nil {
			return err
		}
		x.commandSuccessful()
		return nil
	},
})

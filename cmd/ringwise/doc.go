// Command ringwise checks, formats, explains, tests, simulates and reviews
// rollout policies.
//
// Install it with
//
//	go install github.com/ringwise/ringwise/cmd/ringwise@latest
//
// Commands:
//
//	ringwise check [-r] PATH...
//	    validate policy files and directories
//	ringwise completion bash|zsh|fish
//	    print a shell completion script (bash, zsh or fish)
//	ringwise fmt [-check] [-diff] [-w] PATH...
//	    rewrite policy files in canonical format
//	ringwise plan [-json] [-start RFC3339] [-kind KIND] [-urgency NAME] [-rollout NAME] [-tenant NAME] PATH...
//	    print the nominal schedule of a rollout
//	ringwise review [-base PATH] [-head PATH] [-base-ref REV] [-head-ref REV] [-root DIR] [-suite FILE] [-check] [-runs N] [-seed N] [-json] [SCENARIO...]
//	    compare two versions of a policy on scenarios, as a PR comment
//	ringwise rollout VERB [flags] [ID]
//	    start, inspect and steer rollouts on a server
//	ringwise serve -policy PATH -inventory FILE [flags]
//	    run the update server and rollout controller
//	ringwise simulate [-policy PATH] [-root DIR] [-seed N] [-runs N] [-json] [-csv FILE] [-svg FILE] [-memory SIZE] [-compare=false] SCENARIO
//	    replay a scenario under a policy
//	ringwise test [-v] [-run REGEX] PATH...
//	    run the Rego unit tests of gate policies
//	ringwise version
//	    print the version of ringwise and how it was built
//
// Run "ringwise COMMAND -h" for what a command does and its flags. Flags
// may come before or after the paths; "--" ends them. Problems in policy
// and scenario files are reported as FILE:LINE:COL: message, with the
// source line. Exit status: 0 success, 1 a failure (an invalid policy, a
// failing test), 2 a usage error.
package main

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

func init() {
	commands = append(commands, command{"completion", "print a shell completion script (bash, zsh or fish)", runCompletion})
}

const completionHelp = `
Completion prints a script that completes ringwise's commands and their
flags in SHELL (bash, zsh or fish); other arguments complete as file names.
Load it from your shell's start-up file:

  bash:  source <(ringwise completion bash)            (in ~/.bashrc)
  zsh:   source <(ringwise completion zsh)             (in ~/.zshrc, after compinit)
  fish:  ringwise completion fish > ~/.config/fish/completions/ringwise.fish`

func runCompletion(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("completion", "bash|zsh|fish", completionHelp)
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "ringwise completion: want one shell (bash, zsh or fish), got %d arguments\n", fs.NArg())
		usageError(fs, stderr)
		return 2
	}
	cs := completions()
	switch fs.Arg(0) {
	case "bash":
		writeBash(stdout, cs)
	case "zsh":
		writeZsh(stdout, cs)
	case "fish":
		writeFish(stdout, cs)
	default:
		fmt.Fprintf(stderr, "ringwise completion: unknown shell %q; want bash, zsh or fish\n", fs.Arg(0))
		usageError(fs, stderr)
		return 2
	}
	return 0
}

// A cmdCompletion is a command with its flags, for completion scripts.
type cmdCompletion struct {
	name, summary string
	flags         []flagCompletion
}

type flagCompletion struct {
	name, usage string
	value       bool // takes a value
}

// flagLine matches a flag in the output of flag.PrintDefaults: "  -name",
// "  -name type" (then the usage on the next line) or "  -x\tusage".
var flagLine = regexp.MustCompile(`^  -(\S+)(?: (\S+))?(?:\t(.*))?$`)

// completions lists every command (sorted) with the flags its -h prints,
// so that a command added to the table completes without more work.
func completions() []cmdCompletion {
	var out []cmdCompletion
	for _, c := range commands {
		var help bytes.Buffer
		c.run([]string{"-h"}, &help, io.Discard)
		cc := cmdCompletion{name: c.name, summary: c.summary}
		sc := bufio.NewScanner(&help)
		inFlags := false
		for sc.Scan() {
			l := sc.Text()
			if l == "Flags:" {
				inFlags = true
				continue
			}
			if !inFlags {
				continue
			}
			if m := flagLine.FindStringSubmatch(l); m != nil {
				cc.flags = append(cc.flags, flagCompletion{name: m[1], usage: m[3], value: m[2] != ""})
				continue
			}
			if u, ok := strings.CutPrefix(l, "    \t"); ok && len(cc.flags) > 0 {
				f := &cc.flags[len(cc.flags)-1]
				f.usage = strings.TrimSpace(f.usage + " " + u)
			}
		}
		out = append(out, cc)
	}
	slices.SortFunc(out, func(a, b cmdCompletion) int { return strings.Compare(a.name, b.name) })
	return out
}

func names(cs []cmdCompletion) string {
	var n []string
	for _, c := range cs {
		n = append(n, c.name)
	}
	return strings.Join(n, " ")
}

func writeBash(w io.Writer, cs []cmdCompletion) {
	fmt.Fprintf(w, `# bash completion for ringwise; load with: source <(ringwise completion bash)
_ringwise() {
	local cur=${COMP_WORDS[COMP_CWORD]} flags=
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W %q -- "$cur"))
		return
	fi
	case ${COMP_WORDS[1]} in
`, names(cs)+" help")
	for _, c := range cs {
		var fl []string
		for _, f := range c.flags {
			fl = append(fl, "-"+f.name)
		}
		fmt.Fprintf(w, "\t%s) flags=%q ;;\n", c.name, strings.Join(append(fl, "-h"), " "))
	}
	fmt.Fprintf(w, "\thelp) COMPREPLY=($(compgen -W %q -- \"$cur\")); return ;;\n", names(cs))
	fmt.Fprint(w, `	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$flags" -- "$cur"))
	else
		COMPREPLY=()
	fi
}
complete -o default -F _ringwise ringwise
`)
}

// zshQuote escapes a description for _arguments and _describe.
func zshQuote(s string) string {
	r := strings.NewReplacer(`'`, `'\''`, `[`, `\[`, `]`, `\]`, `:`, `\:`)
	return r.Replace(s)
}

func writeZsh(w io.Writer, cs []cmdCompletion) {
	fmt.Fprint(w, `#compdef ringwise
# zsh completion for ringwise; load with: source <(ringwise completion zsh)
_ringwise() {
	local -a commands
	commands=(
`)
	for _, c := range cs {
		fmt.Fprintf(w, "\t\t'%s:%s'\n", c.name, zshQuote(c.summary))
	}
	fmt.Fprint(w, `	)
	if (( CURRENT == 2 )); then
		_describe 'command' commands
		return
	fi
	case $words[2] in
`)
	for _, c := range cs {
		fmt.Fprintf(w, "\t%s)\n\t\t_arguments", c.name)
		for _, f := range c.flags {
			arg := ""
			if f.value {
				arg = ":" + zshQuote(f.name) + ":_files"
			}
			fmt.Fprintf(w, " \\\n\t\t\t'-%s[%s]%s'", f.name, zshQuote(f.usage), arg)
		}
		fmt.Fprint(w, " \\\n\t\t\t'-h[show help]' \\\n\t\t\t'*:file:_files' ;;\n")
	}
	fmt.Fprint(w, `	help) _describe 'command' commands ;;
	esac
}
if (( $+functions[compdef] )); then
	compdef _ringwise ringwise
fi
`)
}

// fishQuote quotes s for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func writeFish(w io.Writer, cs []cmdCompletion) {
	fmt.Fprint(w, "# fish completion for ringwise; save as ~/.config/fish/completions/ringwise.fish\n")
	fmt.Fprintf(w, "complete -c ringwise -n __fish_use_subcommand -f -a help -d 'show help for a command'\n")
	for _, c := range cs {
		fmt.Fprintf(w, "complete -c ringwise -n __fish_use_subcommand -f -a %s -d %s\n", c.name, fishQuote(c.summary))
	}
	for _, c := range cs {
		cond := fishQuote("__fish_seen_subcommand_from " + c.name)
		for _, f := range c.flags {
			r := ""
			if f.value {
				r = " -r"
			}
			fmt.Fprintf(w, "complete -c ringwise -n %s -o %s%s -d %s\n", cond, f.name, r, fishQuote(f.usage))
		}
	}
}

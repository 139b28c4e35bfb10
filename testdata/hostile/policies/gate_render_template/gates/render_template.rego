# want: compile undefined function strings.render_template: removed from the gate sandbox
# Nested {{range}} loops of Go templates ignored the deadline and ran to 4 GB.
package hostile

hold contains x if {
	x := strings.render_template("{{range $i := 100000}}{{range $j := 100000}}{{range $k := 100000}}x{{end}}{{end}}{{end}}", {})
}

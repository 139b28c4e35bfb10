# want: compile undefined function walk: removed from the gate sandbox
package hostile

hold contains "x" if count([p | walk(input, [p, _])]) > 0

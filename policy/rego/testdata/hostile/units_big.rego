# want: eval out of the gate sandbox's range
package hostile

hold contains "x" if units.parse(concat("", ["1e", "999999999", "Ki"])) > 0

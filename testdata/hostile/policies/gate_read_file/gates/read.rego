package ringwise.gate

hold contains msg if {
	msg := opa.runtime().env.HOME
}

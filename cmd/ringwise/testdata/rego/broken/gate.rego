package gate

deny[msg] {
	msg := "rego v0"
}

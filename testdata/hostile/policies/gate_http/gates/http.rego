package ringwise.gate

hold contains msg if {
	resp := http.send({"method": "GET", "url": "http://127.0.0.1:1/"})
	msg := sprintf("%v", [resp])
}

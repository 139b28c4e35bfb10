package gate

hold contains msg if {
	resp := http.send({"method": "get", "url": "https://example.com"})
	msg := resp.body
}

test_calls_out if {
	count(hold) == 0
}

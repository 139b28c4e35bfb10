tenant "hospital" {
  select {
    tenant = "st-marys"
  }
  defer = "two days"

  maintenance {
	days  = ["sat", "sonday"]
	start = "23:00"
	hours = 4
	zone  = "Europe/Londn"
  }
}

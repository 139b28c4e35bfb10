package policy

// Maintenance windows name IANA time zones. Embedding the zone database
// makes a policy mean the same on every machine and in the browser
// (js/wasm has no zoneinfo of its own); it adds about 450 KB.
import _ "time/tzdata"

package policy

// DefaultMaxFileSize is the largest policy file Load reads unless
// WithMaxFileSize says otherwise.
const DefaultMaxFileSize = 1 << 20

// Option configures Load and LoadPaths.
type Option func(*options)

type options struct {
	gates   GateLoader
	maxSize int64
}

func buildOptions(opts []Option) options {
	o := options{maxSize: DefaultMaxFileSize}
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return o
}

// WithGateLoader sets the loader that compiles gate blocks (for example
// rego.NewLoader() from package policy/rego). Without one, a gate block is
// an error.
func WithGateLoader(l GateLoader) Option {
	return func(o *options) { o.gates = l }
}

// WithMaxFileSize sets the largest policy file, in bytes, that Load reads
// (DefaultMaxFileSize, 1 MiB, by default). A larger file is an error
// diagnostic naming the file and the limit. n <= 0 restores the default.
func WithMaxFileSize(n int64) Option {
	return func(o *options) {
		if n <= 0 {
			n = DefaultMaxFileSize
		}
		o.maxSize = n
	}
}

package magentotest

// TB is the part of testing.TB the fake needs; *testing.T and *testing.B
// satisfy it. The package does not import testing, so `ledger demo` can
// link it into the binary.
type TB interface {
	Helper()
	Logf(format string, args ...any)
	Fatal(args ...any)
	Cleanup(func())
}

// New starts a fake Magento (plain HTTP, i.e. developer mode) that logs to
// t and closes when the test ends.
func New(t TB) *Magento {
	t.Helper()
	m, err := NewServer(Options{Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

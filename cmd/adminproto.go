package cmd

import (
	"encoding/json"
	"io"
	"net"
	"time"
)

// The admin socket protocol: the client writes one JSON request line, the
// server runs the same command tree against its open database and writes one
// JSON response line, then closes the connection.

// adminRequest is one CLI invocation forwarded to the server. Op "ping" only
// asks whether the server is alive.
type adminRequest struct {
	Op    string   `json:"op"` // "ping" | "run"
	Args  []string `json:"args,omitempty"`
	Stdin []byte   `json:"stdin,omitempty"`
}

// adminResponse is what the command printed and its exit status.
type adminResponse struct {
	Stdout []byte `json:"stdout,omitempty"`
	Stderr []byte `json:"stderr,omitempty"`
	Exit   int    `json:"exit"`
}

// maxAdminMessage bounds a request or response (a backup is written to a
// file by the server, never sent over the socket).
const maxAdminMessage = 16 << 20

// Timeouts of the client side.
const (
	pingTimeout    = 500 * time.Millisecond // the server must answer a ping within
	commandTimeout = 1500 * time.Millisecond
	// longCommandTimeout bounds commands whose work grows with the database
	// (backup, key rotate --rewrap).
	longCommandTimeout = 10 * time.Minute
)

// roundTrip sends req over the socket at path and reads the response, all
// within timeout.
func roundTrip(path string, req adminRequest, timeout time.Duration) (*adminResponse, error) {
	deadline := time.Now().Add(timeout)
	conn, err := net.DialTimeout("unix", path, pingTimeout)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(deadline)
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return nil, err
	}
	var resp adminResponse
	if err := json.NewDecoder(io.LimitReader(conn, maxAdminMessage)).Decode(&resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

//go:build linux

package cmd

import (
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// checkPeer refuses a peer whose uid (SO_PEERCRED) is not the server's.
func checkPeer(conn net.Conn) error {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return fmt.Errorf("admin socket: not a unix connection")
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return err
	}
	var (
		cred *unix.Ucred
		cerr error
	)
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return err
	}
	if cerr != nil {
		return cerr
	}
	if cred.Uid != sameUser {
		return fmt.Errorf("admin socket: peer uid %d is not the server's uid %d", cred.Uid, sameUser)
	}
	return nil
}

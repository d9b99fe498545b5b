package alert

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"net"
	"strings"
	"testing"
)

// mail is what the stub SMTP server received in one transaction.
type mail struct {
	From     string
	To       []string
	Data     string
	AuthUser string
	AuthPass string
	TLS      bool // the transaction ran after STARTTLS
}

// smtpStub is a tiny SMTP server on 127.0.0.1 speaking enough of RFC 5321
// for net/smtp: EHLO, STARTTLS (optional), AUTH PLAIN, MAIL, RCPT, DATA, QUIT.
type smtpStub struct {
	Addr     string
	User     string // when set, AUTH PLAIN is offered and required
	Pass     string
	TLS      *tls.Config // when set, STARTTLS is offered
	Received chan mail
	ln       net.Listener
}

func startSMTPStub(t *testing.T, user, pass string, tlsCfg *tls.Config) *smtpStub {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpStub{Addr: ln.Addr().String(), User: user, Pass: pass, TLS: tlsCfg, Received: make(chan mail, 16), ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *smtpStub) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	w := bufio.NewWriter(conn)
	say := func(lines ...string) {
		for _, l := range lines {
			w.WriteString(l + "\r\n")
		}
		w.Flush()
	}
	var m mail
	authed := false
	say("220 stub ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			ext := []string{"stub"}
			if s.TLS != nil && !m.TLS {
				ext = append(ext, "STARTTLS")
			}
			if s.User != "" {
				ext = append(ext, "AUTH PLAIN")
			}
			ext = append(ext, "8BITMIME")
			out := make([]string, len(ext))
			for i, e := range ext {
				sep := "-"
				if i == len(ext)-1 {
					sep = " "
				}
				out[i] = "250" + sep + e
			}
			say(out...)
		case "STARTTLS":
			if s.TLS == nil {
				say("502 not offered")
				continue
			}
			say("220 go ahead")
			tc := tls.Server(conn, s.TLS)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn = tc
			r, w = bufio.NewReader(tc), bufio.NewWriter(tc)
			m = mail{TLS: true}
			authed = false
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			raw, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if !strings.EqualFold(mech, "PLAIN") || err != nil || len(parts) != 3 {
				say("501 bad AUTH")
				continue
			}
			m.AuthUser, m.AuthPass = parts[1], parts[2]
			if parts[1] != s.User || parts[2] != s.Pass {
				say("535 5.7.8 authentication failed")
				continue
			}
			authed = true
			say("235 ok")
		case "MAIL":
			if s.User != "" && !authed {
				say("530 authentication required")
				continue
			}
			m.From = strings.Trim(strings.TrimPrefix(arg, "FROM:"), "<>")
			if i := strings.Index(m.From, ">"); i >= 0 {
				m.From = m.From[:i]
			}
			say("250 ok")
		case "RCPT":
			m.To = append(m.To, strings.Trim(strings.TrimPrefix(arg, "TO:"), "<>"))
			say("250 ok")
		case "DATA":
			say("354 end with .")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			m.Data = b.String()
			say("250 queued")
			s.Received <- m
			m = mail{TLS: m.TLS, AuthUser: m.AuthUser, AuthPass: m.AuthPass}
		case "RSET", "NOOP":
			say("250 ok")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 unknown command")
		}
	}
}

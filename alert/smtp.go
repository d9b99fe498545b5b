package alert

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"strings"
	"time"
)

// sendMail delivers al as a plain-text email: implicit TLS on port 465,
// otherwise STARTTLS when the server offers it, then PLAIN auth when a user is
// configured (net/smtp refuses PLAIN over an unencrypted link to anything but
// localhost, so the password never crosses a network in clear).
func (a *Alerter) sendMail(al Alert) error {
	host, port, _ := net.SplitHostPort(a.cfg.SMTPAddr)
	tlsCfg := a.cfg.TLSConfig.Clone()
	if tlsCfg == nil {
		tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if tlsCfg.ServerName == "" {
		tlsCfg.ServerName = host
	}
	deadline := time.Now().Add(a.cfg.SendTimeout)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", a.cfg.SMTPAddr)
	if err != nil {
		return fmt.Errorf("cannot reach the SMTP server: %w", err)
	}
	if port == "465" {
		conn = tls.Client(conn, tlsCfg)
	}
	_ = conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("SMTP greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello(helloName()); err != nil {
		return fmt.Errorf("SMTP EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && port != "465" {
		if err := c.StartTLS(tlsCfg); err != nil {
			return fmt.Errorf("SMTP STARTTLS: %w", err)
		}
	}
	if a.cfg.SMTPUser != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("the SMTP server offers no AUTH but a user is configured")
		}
		if err := c.Auth(smtp.PlainAuth("", a.cfg.SMTPUser, a.cfg.SMTPPassword, host)); err != nil {
			return fmt.Errorf("SMTP AUTH: %w", scrub(err, a.cfg.SMTPPassword))
		}
	}
	if err := c.Mail(a.cfg.From); err != nil {
		return fmt.Errorf("SMTP MAIL FROM: %w", err)
	}
	for _, to := range a.cfg.To {
		if err := c.Rcpt(to); err != nil {
			return fmt.Errorf("SMTP RCPT TO: %w", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if _, err := w.Write(a.message(al)); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	return c.Quit()
}

// message renders the RFC 5322 message. Header values are stripped of CR/LF
// so that no field of the alert can inject headers.
func (a *Alerter) message(al Alert) []byte {
	var b strings.Builder
	h := func(k, v string) { b.WriteString(k + ": " + oneLine(v) + "\r\n") }
	h("From", a.cfg.From)
	h("To", strings.Join(a.cfg.To, ", "))
	subject := "[ledger] " + string(al.Kind)
	if al.BindingID != "" {
		subject += " (binding " + al.BindingID + ")"
	}
	h("Subject", subject)
	h("Date", al.At.Format(time.RFC1123Z))
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "8bit")
	h("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	b.WriteString(al.Message + "\r\n\r\n")
	b.WriteString("kind: " + string(al.Kind) + "\r\n")
	if al.BindingID != "" {
		b.WriteString("binding: " + oneLine(al.BindingID) + "\r\n")
	}
	if al.TenantID != "" {
		b.WriteString("tenant: " + oneLine(al.TenantID) + "\r\n")
	}
	b.WriteString("at: " + al.At.UTC().Format(time.RFC3339) + "\r\n")
	return []byte(b.String())
}

func oneLine(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// scrub removes a secret from an error text, in case a server echoes it.
func scrub(err error, secret string) error {
	if secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "[redacted]"))
}

func helloName() string {
	return "ledger.localhost"
}

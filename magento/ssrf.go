package magento

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"ledger/domain"
)

// Timeouts of every call to Magento (the same budget Magento gives us).
const (
	ConnectTimeout = 5 * time.Second
	TotalTimeout   = 15 * time.Second
)

// WarnPlainHTTP is CheckBaseURL's warning for an http:// Magento.
const WarnPlainHTTP = "Magento in production mode refuses ledger's tokens over plain HTTP; use https:// unless this store runs in developer mode."

// ErrForbiddenAddress is wrapped by dial errors for addresses ledger refuses
// to reach (loopback, private, link-local, multicast, unspecified).
var ErrForbiddenAddress = errors.New("magento: refusing to connect to a private or local address")

// CheckBaseURL validates and normalises a Magento base URL: http or https,
// a host, no credentials, query or fragment, trailing slashes removed. A
// literal private address is refused here already unless allowPrivate (the
// dialer enforces the rule for names as well).
func CheckBaseURL(raw string, allowPrivate bool) (normalised string, warnings []string, err error) {
	s := strings.TrimSpace(raw)
	u, perr := url.Parse(s)
	if perr != nil || u.Scheme == "" || u.Host == "" {
		return "", nil, invalid(perr, "The Magento URL must be an absolute http(s) URL such as https://shop.example.com.")
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme != "http" && scheme != "https":
		return "", nil, invalid(nil, "The Magento URL must start with https:// (or http:// for a developer-mode store).")
	case u.User != nil:
		return "", nil, invalid(nil, "The Magento URL must not contain a user name or password.")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#"):
		return "", nil, invalid(nil, "The Magento URL must not have a query string or fragment; give the store's base URL.")
	case u.Hostname() == "":
		return "", nil, invalid(nil, "The Magento URL has no host name.")
	}
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil && !allowPrivate && forbidden(ip) {
		return "", nil, domain.Wrap(domain.EInvalid, ErrForbiddenAddress,
			"The Magento URL points at a private or local address; use the store's public address (or start ledger with --magento-allow-private).")
	}
	u.Scheme = scheme
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	if scheme == "http" {
		warnings = append(warnings, WarnPlainHTTP)
	}
	return u.String(), warnings, nil
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// forbidden reports whether ip is an address ledger must not dial when
// private addresses are disallowed.
func forbidden(ip netip.Addr) bool {
	ip = ip.Unmap()
	return !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() ||
		ip.IsUnspecified() || cgnat.Contains(ip) || (ip.Is4() && ip.As4()[0] == 0)
}

// dialControl refuses forbidden addresses at dial time: it sees the address
// actually being connected to, so DNS rebinding cannot slip past it.
func dialControl(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrForbiddenAddress, err)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || forbidden(ip) {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
	}
	return nil
}

// NewDialer returns the dialer for Magento: 5 s connect timeout, and unless
// allowPrivate a Control hook that refuses private and local addresses.
func NewDialer(allowPrivate bool) *net.Dialer {
	d := &net.Dialer{Timeout: ConnectTimeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = dialControl
	}
	return d
}

// NewHTTPClient returns the client for calls to Magento: the guarded
// dialer, no proxy (a proxy would hide the dialled address), a 15 s total
// timeout, and no redirects (a 3xx is returned as is).
func NewHTTPClient(allowPrivate bool) *http.Client {
	d := NewDialer(allowPrivate)
	return &http.Client{
		Timeout: TotalTimeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           d.DialContext,
			TLSHandshakeTimeout:   ConnectTimeout,
			ResponseHeaderTimeout: TotalTimeout,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// dialRefused reports whether err came from the private-address guard.
func dialRefused(err error) bool { return errors.Is(err, ErrForbiddenAddress) }

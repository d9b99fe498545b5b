package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// deliver sends al over every configured channel; one channel failing does
// not stop the other.
func (a *Alerter) deliver(al Alert) error {
	var errs []error
	if a.cfg.WebhookURL != "" {
		if err := a.postWebhook(al); err != nil {
			errs = append(errs, fmt.Errorf("webhook: %w", err))
		}
	}
	if a.cfg.SMTPAddr != "" {
		if err := a.sendMail(al); err != nil {
			errs = append(errs, fmt.Errorf("email: %w", err))
		}
	}
	return errors.Join(errs...)
}

// postWebhook POSTs the alert as JSON and wants a 2xx. Errors never carry the
// URL (it may hold a token, as Slack and Teams webhook URLs do).
func (a *Alerter) postWebhook(al Alert) error {
	body, err := json.Marshal(al)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.SendTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.cfg.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return errors.New("cannot build the request")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ledger-alert/1")
	resp, err := a.cfg.HTTPClient.Do(req)
	if err != nil {
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) && ue.Unwrap() != nil {
			return fmt.Errorf("request failed: %w", ue.Unwrap()) // drop *url.Error's URL
		}
		return errors.New("request failed")
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the receiver answered %d", resp.StatusCode)
	}
	return nil
}

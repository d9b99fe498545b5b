package xerotest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// SpecPath is Xero's Accounting OpenAPI description every request is
// checked against. Empty means: look for shared/xero-openapi beside the
// checkout (the project's layout, on developer machines and CI alike) in
// the working directory's ancestors; $XERO_OPENAPI overrides both.
var SpecPath = ""

// specRel is where the spec sits under a "shared" folder.
const specRel = "shared/xero-openapi/xero_accounting.yaml"

// findSpec walks up from the working directory looking for specRel.
func findSpec() string {
	dir, err := os.Getwd()
	if err != nil {
		return specRel
	}
	for {
		p := filepath.Join(dir, specRel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return specRel
		}
		dir = parent
	}
}

var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

// loadSpec parses the spec once per process.
func loadSpec() (routers.Router, error) {
	specOnce.Do(func() {
		p := SpecPath
		if p == "" {
			p = findSpec()
		}
		if env := os.Getenv("XERO_OPENAPI"); env != "" {
			p = env
		}
		if _, err := os.Stat(p); err != nil {
			specErr = fmt.Errorf("xerotest: Xero OpenAPI file %s is absent: %w", p, err)
			return
		}
		doc, err := openapi3.NewLoader().LoadFromFile(p)
		if err != nil {
			specErr = err
			return
		}
		specRouter, specErr = gorillamux.NewRouter(doc)
	})
	return specRouter, specErr
}

// validate checks one Accounting request against the spec. The request is
// rewritten to the spec's server (api.xero.com) for routing only.
func validate(r *http.Request, body []byte, apiPath string) error {
	rt, err := loadSpec()
	if err != nil {
		return err
	}
	v := r.Clone(context.Background())
	v.URL.Scheme, v.URL.Host, v.Host = "https", "api.xero.com", "api.xero.com"
	v.URL.Path = "/api.xro/2.0" + apiPath
	v.URL.RawPath = ""
	v.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := rt.FindRoute(v)
	if err != nil {
		return fmt.Errorf("%s %s: no such operation in Xero's API: %w", r.Method, apiPath, err)
	}
	err = openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
		Request: v, PathParams: params, Route: route,
		Options: &openapi3filter.Options{
			AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
			MultiError:          true,
			SkipSettingDefaults: true,
		},
	})
	if err != nil {
		return fmt.Errorf("%s %s (%s): %w", r.Method, apiPath, route.Operation.OperationID, err)
	}
	if extra := undocumentedQuery(route, v.URL.Query()); len(extra) > 0 {
		return fmt.Errorf("%s %s (%s): query parameter(s) %s not in the operation's parameters", r.Method, apiPath, route.Operation.OperationID, strings.Join(extra, ", "))
	}
	return nil
}

// undocumentedQuery lists the query parameters the operation (or its path)
// does not declare. ValidateRequest checks only the declared ones, so
// without this a client could send, say, unitdp to /Payments and rely on
// behaviour Xero does not document.
func undocumentedQuery(route *routers.Route, q url.Values) []string {
	known := map[string]bool{}
	for _, ps := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range ps {
			if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
				known[p.Value.Name] = true
			}
		}
	}
	var extra []string
	for name := range q {
		if !known[name] {
			extra = append(extra, name)
		}
	}
	slices.Sort(extra)
	return extra
}

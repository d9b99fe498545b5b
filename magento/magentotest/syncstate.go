package magentotest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
)

// SyncStateKey is the unique key of byte8_entity_sync_state.
type SyncStateKey struct {
	EntityType string
	MagentoID  int64
	Provider   string
}

// SyncStateRow is what Magento stored for a key. Nil optional columns are
// NULL; every callback overwrites all of them.
type SyncStateRow struct {
	SyncStatus        string
	ProviderEntityID  *string
	ProviderReference *string
	SkipReason        *string
	ErrorCode         *string
	LastSyncAt        string // YYYY-MM-DD HH:MM:SS UTC
	Writes            int    // how many callbacks hit this row
}

// SyncStates returns the stored rows.
func (m *Magento) SyncStates() map[SyncStateKey]SyncStateRow {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[SyncStateKey]SyncStateRow, len(m.syncStates))
	for k, v := range m.syncStates {
		out[k] = v
	}
	return out
}

var mysqlTimestampRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)

// syncState is POST /rest/V1/byte8/sync-state (protocol §7.3) with the
// module's validation (400) and a strict-mode MySQL's refusals (500).
func (m *Magento) syncState(w http.ResponseWriter, r *http.Request) {
	var body map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body == nil {
		writeError(w, http.StatusBadRequest, "Decoding error: body is not a JSON object.", nil)
		return
	}
	required := [][2]string{{"entity_type", "entityType"}, {"magento_entity_id", "magentoEntityId"}, {"provider", "provider"}, {"sync_status", "syncStatus"}}
	for _, f := range required {
		if _, ok := lookup(body, f[0], f[1]); !ok {
			writeError(w, http.StatusBadRequest, `"%fieldName" is required. Enter and try again.`, map[string]string{"fieldName": f[1]})
			return
		}
	}
	str := func(snake, camel string) (*string, bool) {
		raw, ok := lookup(body, snake, camel)
		if !ok {
			return nil, true
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		return &s, true
	}
	entityType, ok1 := str("entity_type", "entityType")
	provider, ok2 := str("provider", "provider")
	status, ok3 := str("sync_status", "syncStatus")
	rawID, _ := lookup(body, "magento_entity_id", "magentoEntityId")
	id, err := strconv.ParseInt(string(rawID), 10, 64)
	switch {
	case !ok1 || !ok2 || !ok3:
		writeError(w, http.StatusBadRequest, `The "string" type was expected. Verify and try again.`, nil)
		return
	case *entityType != "invoice" && *entityType != "creditmemo" && *entityType != "customer" && *entityType != "product":
		writeError(w, http.StatusBadRequest, "Invalid entity_type \"%1\".", []string{*entityType})
		return
	case err != nil || id <= 0:
		writeError(w, http.StatusBadRequest, "magento_entity_id must be a positive integer.", nil)
		return
	case *provider == "":
		writeError(w, http.StatusBadRequest, "provider is required.", nil)
		return
	case *status != "synced" && *status != "skipped" && *status != "failed":
		writeError(w, http.StatusBadRequest, "Invalid sync_status \"%1\".", []string{*status})
		return
	}
	row := SyncStateRow{SyncStatus: *status}
	for _, f := range []struct {
		snake, camel string
		into         **string
	}{
		{"provider_entity_id", "providerEntityId", &row.ProviderEntityID},
		{"provider_reference", "providerReference", &row.ProviderReference},
		{"skip_reason", "skipReason", &row.SkipReason},
		{"error_code", "errorCode", &row.ErrorCode},
	} {
		v, ok := str(f.snake, f.camel)
		if !ok {
			writeError(w, http.StatusBadRequest, `The "string" type was expected. Verify and try again.`, nil)
			return
		}
		if v != nil && len(*v) > 64 { // varchar(64), strict mode
			writeError(w, http.StatusInternalServerError, "SQLSTATE[22001]: String data, right truncated: Data too long for column '%1'", []string{f.snake})
			return
		}
		*f.into = v
	}
	at, ok := str("last_sync_at", "lastSyncAt")
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case !ok:
		writeError(w, http.StatusBadRequest, `The "string" type was expected. Verify and try again.`, nil)
		return
	case at == nil || *at == "":
		row.LastSyncAt = m.now().UTC().Format("2006-01-02 15:04:05")
	case !mysqlTimestampRE.MatchString(*at): // strict mode refuses "…T…Z"
		writeError(w, http.StatusInternalServerError, "SQLSTATE[22007]: Invalid datetime format: Incorrect datetime value: '%1'", []string{*at})
		return
	default:
		row.LastSyncAt = *at
	}
	key := SyncStateKey{EntityType: *entityType, MagentoID: id, Provider: *provider}
	row.Writes = m.syncStates[key].Writes + 1
	m.syncStates[key] = row
	writeJSON(w, http.StatusOK, []byte(`[]`))
}

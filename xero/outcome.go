package xero

// Per-element outcomes of batch writes (summarizeErrors=false): Xero answers
// 200 and marks each failed element with ValidationErrors. Err turns one
// element's outcome into a *ValidationError (nil when it succeeded).

func elementErr(op string, i int, failed bool, ves []ValidationMessage) error {
	if !failed && len(ves) == 0 {
		return nil
	}
	msgs := make([]string, 0, len(ves))
	for _, v := range ves {
		msgs = append(msgs, v.Message)
	}
	if len(msgs) == 0 {
		msgs = append(msgs, "Xero rejected this element without a message.")
	}
	return &ValidationError{Op: op, Message: "A validation exception occurred", Elements: []ElementError{{Index: i, Messages: msgs}}}
}

// Err reports this contact's outcome in a batch write at index i.
func (c Contact) Err(i int) error {
	return elementErr("contacts", i, c.HasValidationErrors || c.StatusAttributeString == "ERROR", c.ValidationErrors)
}

// Err reports this invoice's outcome in a batch write at index i.
func (v Invoice) Err(i int) error {
	return elementErr("invoices", i, v.HasErrors || v.StatusAttributeString == "ERROR", v.ValidationErrors)
}

// Err reports this payment's outcome in a batch write at index i.
func (p Payment) Err(i int) error {
	return elementErr("payments", i, p.HasValidationErrors || p.StatusAttributeString == "ERROR", p.ValidationErrors)
}

// Err reports this credit note's outcome in a batch write at index i.
func (c CreditNote) Err(i int) error {
	return elementErr("credit notes", i, c.HasErrors || c.StatusAttributeString == "ERROR", c.ValidationErrors)
}

// Err reports this allocation's outcome at index i.
func (a Allocation) Err(i int) error {
	return elementErr("allocations", i, a.StatusAttributeString == "ERROR", a.ValidationErrors)
}

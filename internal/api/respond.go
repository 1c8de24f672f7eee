package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"dangjian/internal/party"
)

// Error codes the API adds to the domain's for problems with the request itself.
const (
	codeTooLarge         = "too_large"
	codeUnsupportedMedia = "unsupported_media_type"
	codeMethodNotAllowed = "method_not_allowed"
)

// requestError is a problem with the HTTP request (its body, type or size) rather than with
// the records; its message is safe to show.
type requestError struct {
	status  int
	code    string
	message string
	field   string
}

// Error implements the error interface.
func (e *requestError) Error() string { return e.code + ": " + e.message }

// invalid returns a 400 answer about field (may be "").
func invalid(field, message string) error {
	return &requestError{status: http.StatusBadRequest, code: party.EINVALID, message: message, field: field}
}

// notFound returns a 404 answer.
func notFound(message string) error {
	return &requestError{status: http.StatusNotFound, code: party.ENOTFOUND, message: message}
}

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// statusOf maps a domain error code to its HTTP status.
func statusOf(code string) int {
	switch code {
	case party.EINVALID:
		return http.StatusBadRequest
	case party.ENOTFOUND:
		return http.StatusNotFound
	case party.ECONFLICT:
		return http.StatusConflict
	case party.EFORBIDDEN:
		return http.StatusForbidden
	case party.EUNAUTHORIZED:
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}

// writeError answers err as JSON; an internal error is logged with its detail and answered
// with the generic message only.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var re *requestError
	if errors.As(err, &re) {
		writeJSON(w, re.status, errorBody{errorJSON{Code: re.code, Message: re.message, Field: re.field}})
		return
	}
	code := party.ErrorCode(err)
	if code == party.EINTERNAL {
		// The path names the route and ids only; the query may hold an ID number, so it is left out.
		a.logger.ErrorContext(r.Context(), "api: internal error", "method", r.Method, "path", party.RedactPath(r.URL.Path), "err", err)
	}
	writeJSON(w, statusOf(code), errorBody{errorJSON{Code: code, Message: party.ErrorMessage(err), Field: party.ErrorField(err)}})
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own DTOs reach here, and they always marshal; answer something valid anyway.
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errorBody{errorJSON{Code: party.EINTERNAL, Message: party.ErrorMessage(err)}})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// renameField returns err with its field renamed by names, so store field names that differ
// from a request's JSON names (counterpart → to) point at what the client sent.
func renameField(err error, names map[string]string) error {
	var e *party.Error
	if !errors.As(err, &e) {
		return err
	}
	if to, ok := names[e.Field]; ok {
		return &party.Error{Code: e.Code, Message: e.Message, Field: to}
	}
	return err
}

package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"dangjian/internal/party"
)

// form holds submitted values and the errors to show next to each field.
type form struct {
	values url.Values
	errs   map[string]string
	// Message is an error that belongs to no single field (a refusal, for example).
	Message string
}

func newForm(v url.Values) *form {
	if v == nil {
		v = url.Values{}
	}
	return &form{values: v, errs: map[string]string{}}
}

// get returns the trimmed value of a field.
func (f *form) get(name string) string { return strings.TrimSpace(f.values.Get(name)) }

// set replaces the value of a field (for defaults shown in a new form).
func (f *form) set(name, value string) { f.values.Set(name, value) }

// setErr records a message for a field, keeping the first one.
func (f *form) setErr(name, msg string) {
	if _, ok := f.errs[name]; !ok {
		f.errs[name] = msg
	}
}

// ok reports whether no error was recorded.
func (f *form) ok() bool { return len(f.errs) == 0 && f.Message == "" }

// date parses a date field; a bad value records the error and returns the zero date.
func (f *form) date(name string) party.Date {
	s := f.get(name)
	if s == "" {
		return party.Date{}
	}
	d, err := party.ParseDate(s)
	if err != nil {
		f.setErr(name, party.ErrorMessage(err))
		return party.Date{}
	}
	return d
}

// id parses an optional id field (a select of records); 0 when empty or malformed.
func (f *form) id(name string) int64 {
	n, err := strconv.ParseInt(f.get(name), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// fail places a domain error next to its field when the form has that field, otherwise
// above the form; internal errors are returned for the caller to log.
func (f *form) fail(err error, fields ...string) error {
	code := party.ErrorCode(err)
	if code == party.EINTERNAL {
		return err
	}
	field := party.ErrorField(err)
	for _, name := range fields {
		if name == field {
			f.setErr(field, party.ErrorMessage(err))
			return nil
		}
	}
	f.Message = party.ErrorMessage(err)
	return nil
}

// field is one labelled input as the "field" template renders it.
type field struct {
	Name      string
	Label     string
	Type      string // text, password, date, tel, textarea, select, hidden, checkbox, file
	Value     string
	Error     string
	Hint      string
	Required  bool
	Options   []option
	Accept    string
	Inputmode string
	Maxlength int
	// Autocomplete tells browsers and password managers what the field holds.
	Autocomplete string
	// Class is added to the field's wrapper, as only sets it.
	Class string
}

// option is one choice of a select field.
type option struct {
	Value    string
	Label    string
	Selected bool
}

// input returns a field of type typ filled with the form's value and error.
func (f *form) input(name, label, typ string) field {
	return field{Name: name, Label: label, Type: typ, Value: f.get(name), Error: f.errs[name]}
}

// choice returns a select field whose options mark the form's current value.
func (f *form) choice(name, label string, opts []option) field {
	fl := f.input(name, label, "select")
	cur := f.values.Get(name)
	fl.Options = make([]option, len(opts))
	for i, o := range opts {
		o.Selected = o.Value == cur
		fl.Options[i] = o
	}
	return fl
}

// req marks the field required.
func (fl field) req() field { fl.Required = true; return fl }

// hint adds help text under the label.
func (fl field) hint(s string) field { fl.Hint = s; return fl }

// only marks a field that applies to some kinds of a form's 类型 select (#f-kind) only; the
// style sheet hides it while another kind is chosen. The server still ignores what does not
// apply, so a browser without the style loses nothing.
func (fl field) only(kinds ...string) field {
	fl.Class = "kind-only"
	for _, k := range kinds {
		fl.Class += " kind-" + k
	}
	return fl
}

// max limits the number of characters.
func (fl field) max(n int) field { fl.Maxlength = n; return fl }

// auto sets the autocomplete token of the field.
func (fl field) auto(token string) field { fl.Autocomplete = token; return fl }

// numeric asks phones for the digit keyboard.
func (fl field) numeric() field { fl.Inputmode = "numeric"; return fl }

// textOptions turns plain strings into options whose value is their label, after a blank one.
func textOptions(blank string, items ...string) []option {
	out := []option{{Value: "", Label: blank}}
	for _, s := range items {
		out = append(out, option{Value: s, Label: s})
	}
	return out
}

// formPage is a page whose content is one form built from fields.
type formPage struct {
	page
	Intro     string
	Action    string
	Submit    string
	Cancel    string
	Multipart bool
	Danger    bool
	Form      *form
	Fields    []field
	// Errors lists the fields in error, for the summary above the form.
	Errors []field
}

// showForm renders a form page; status is 200 for a new form and the error's status after a
// failed submission.
func (s *Server) showForm(w http.ResponseWriter, r *http.Request, status int, fp formPage) {
	for _, fl := range fp.Fields {
		if fl.Error != "" {
			fp.Errors = append(fp.Errors, fl)
		}
	}
	// An error about a field this form does not show still has to reach the user.
	for name, msg := range fp.Form.errs {
		shown := false
		for _, fl := range fp.Fields {
			shown = shown || (fl.Name == name && fl.Type != "hidden")
		}
		if !shown && fp.Form.Message == "" {
			fp.Form.Message = msg
		}
	}
	s.render(w, r, status, "form", "layout", fp)
}

// parseForm reads a urlencoded POST body; a body over the limit is reported to the user.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) (*form, bool) {
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.errorPage(w, r, http.StatusRequestEntityTooLarge, "提交的内容过大", "提交的内容超过了允许的大小，请精简后重试。")
		} else {
			s.errorPage(w, r, http.StatusBadRequest, "提交的内容有误", "提交的内容无法识别，请返回上一页重新填写。")
		}
		return nil, false
	}
	return newForm(r.PostForm), true
}

package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dangjian/internal/party"
)

// maxBody is the largest request body accepted.
const maxBody = 1 << 20

// decode reads r's JSON body into dst strictly: the media type must be application/json (in
// UTF-8), the body at most maxBody bytes of valid UTF-8 holding one JSON object with no
// unknown fields and nothing after it.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &requestError{status: http.StatusUnsupportedMediaType, code: codeUnsupportedMedia,
			message: "请求体须为 JSON，请设置 Content-Type: application/json"}
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return &requestError{status: http.StatusUnsupportedMediaType, code: codeUnsupportedMedia,
			message: "请求体须使用 UTF-8 编码"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return &requestError{status: http.StatusRequestEntityTooLarge, code: codeTooLarge,
				message: fmt.Sprintf("请求体不能超过 %d MB", maxBody>>20)}
		}
		return invalid("", "读取请求体失败")
	}
	if !utf8.Valid(body) {
		return invalid("", "请求体含有无效的 UTF-8 字符")
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return invalid("", "请求体不能为空")
	}
	if trimmed[0] != '{' {
		return invalid("", "请求体应为 JSON 对象")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalid("", "请求体只能包含一个 JSON 对象，其后不应再有内容")
	}
	return checkControl(reflect.ValueOf(dst), "")
}

// checkControl refuses control characters other than tab and line breaks in every string of
// a decoded request (JSON can carry them as \u0000 escapes), naming the field; the databases
// would refuse some of them with an internal error.
func checkControl(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			return checkControl(v.Elem(), path)
		}
	case reflect.String:
		if hasControl(v.String()) {
			return invalid(path, fmt.Sprintf("字段 %s 含有控制字符", path))
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := checkControl(v.Index(i), path); err != nil {
				return err
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			// An embedded struct of an unexported type still carries exported (decoded) fields.
			if !f.IsExported() && !f.Anonymous {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			sub := path
			if !f.Anonymous {
				if name == "" {
					name = f.Name
				}
				if sub != "" {
					sub += "."
				}
				sub += name
			}
			if err := checkControl(v.Field(i), sub); err != nil {
				return err
			}
		}
	}
	return nil
}

// hasControl reports whether s holds a control character other than tab, CR and LF.
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return true
		}
	}
	return false
}

// checkQuery refuses query parameters that are not valid UTF-8 or hold control characters.
func checkQuery(r *http.Request) error {
	for k, vs := range r.URL.Query() {
		for _, v := range append([]string{k}, vs...) {
			if !utf8.ValidString(v) || hasControl(v) {
				return invalid(k, fmt.Sprintf("参数 %s 含有无效字符", k))
			}
		}
	}
	return nil
}

// decodeError turns an encoding/json error into a message naming the field at fault.
func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return invalid("", fmt.Sprintf("请求体不是有效的 JSON（第%d字节附近）", syntax.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("", "请求体不是完整的 JSON")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return invalid("", "请求体应为 JSON 对象")
		}
		return invalid(typ.Field, fmt.Sprintf("字段 %s 应为%s", typ.Field, kindName(typ.Type)))
	}
	// encoding/json reports an unknown field only in its message: json: unknown field "x".
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if s, err := strconv.Unquote(name); err == nil {
			name = s
		}
		return invalid(name, fmt.Sprintf("请求含有不支持的字段 %s", name))
	}
	return invalid("", "请求体不是有效的 JSON")
}

// kindName names a Go type as the JSON value a client should send.
func kindName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "字符串"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "整数"
	case reflect.Float32, reflect.Float64:
		return "数字"
	case reflect.Bool:
		return "布尔值（true 或 false）"
	case reflect.Slice, reflect.Array:
		return "数组"
	}
	return "对象"
}

// pathID reads the positive integer path value name; anything else answers 404, because no
// record can have that id.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound("请求的记录不存在")
	}
	return id, nil
}

// queryID reads an optional positive integer query parameter; absent gives 0.
func queryID(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid(name, fmt.Sprintf("参数 %s 应为正整数", name))
	}
	return id, nil
}

// queryInt reads an optional integer query parameter in [min, max]; absent gives def.
func queryInt(r *http.Request, name string, def, min, max int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		return 0, invalid(name, fmt.Sprintf("参数 %s 应为%d到%d之间的整数", name, min, max))
	}
	return n, nil
}

// queryBool reads an optional flag written 1/0 or true/false; absent gives false.
func queryBool(r *http.Request, name string) (bool, error) {
	switch strings.ToLower(r.URL.Query().Get(name)) {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, invalid(name, fmt.Sprintf("参数 %s 应为 1 或 0", name))
}

// parseDate reads a request date written 2006-01-02; "" gives the zero date (no date).
func parseDate(field, s string) (party.Date, error) {
	if s == "" {
		return party.Date{}, nil
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return party.Date{}, invalid(field, fmt.Sprintf("字段 %s 应为 2006-01-02 格式的有效日期", field))
	}
	d, err := party.ParseDate(s)
	if err != nil {
		return party.Date{}, &party.Error{Code: party.EINVALID, Field: field, Message: party.ErrorMessage(err)}
	}
	return d, nil
}

// parseDatePtr reads an optional date of a partial update: nil leaves the value unchanged.
func parseDatePtr(field string, s *string) (*party.Date, error) {
	if s == nil {
		return nil, nil
	}
	d, err := parseDate(field, *s)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

package office_test

import (
	"bytes"
	"testing"

	"dangjian/internal/office"
	"dangjian/internal/party"
)

// FuzzParseMembers feeds the roster parser arbitrary bytes; the seeds (a valid roster, broken
// headers and cells, truncated and corrupted files) run on every go test. The parser must not
// panic, and whatever it reports must be usable.
func FuzzParseMembers(f *testing.F) {
	valid := roster(f, 1, 3, "机关党支部")
	f.Add(valid)
	bad := rosterRow(2, "", "")
	bad[1], bad[3], bad[4] = "?", "2019-13-45", "123"
	f.Add(book(f, append([]string{"籍贯"}, party.MemberHeaders[1:]...), [][]any{bad, {43647.5, "", "'=x"}}))
	f.Add(book(f, party.MemberHeaders, [][]any{bad, nil, {"\u3000"}}))
	f.Add(valid[:len(valid)/2])
	corrupt := bytes.Clone(valid)
	for i := len(corrupt) / 3; i < len(corrupt)/3+64; i++ {
		corrupt[i] ^= 0x5a
	}
	f.Add(corrupt)
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, errs, err := office.ParseMembers(bytes.NewReader(data), today)
		if err != nil {
			if party.ErrorCode(err) != party.EINVALID {
				t.Fatalf("error without a user message: %v", err)
			}
			return
		}
		for _, e := range errs {
			if e.Row < 1 || e.Message == "" {
				t.Fatalf("unusable row error %+v", e)
			}
		}
		for _, r := range rows {
			if r.Row < 2 || r.Member.Validate(today) != nil {
				t.Fatalf("row %d returned without being valid", r.Row)
			}
		}
	})
}

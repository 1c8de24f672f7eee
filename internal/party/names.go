package party

import (
	"encoding/hex"
	"strings"
	"sync"

	"github.com/mozillazg/go-pinyin"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

var collators = sync.Pool{New: func() any { return collate.New(language.Chinese) }}

// NameKey returns a sort key that orders Chinese names by pinyin (zh collation) when compared
// byte by byte, so the database can sort and paginate without knowing Chinese.
func NameKey(name string) string {
	c := collators.Get().(*collate.Collator)
	defer collators.Put(c)
	var buf collate.Buffer
	return hex.EncodeToString(c.KeyFromString(&buf, name))
}

// Initials returns the lower-case pinyin initials of a name, 张三丰 → zsf; other letters and
// digits are kept, so a search for "zsf" finds 张三丰.
func Initials(name string) string {
	var b strings.Builder
	args := pinyin.NewArgs()
	args.Style = pinyin.FirstLetter
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		default:
			if p := pinyin.SinglePinyin(r, args); len(p) > 0 && p[0] != "" {
				b.WriteString(strings.ToLower(p[0][:1]))
			}
		}
	}
	return b.String()
}

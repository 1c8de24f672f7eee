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

// surnameReadings replaces a surname whose reading as a surname differs from the character's
// usual reading (曾 is zēng as a surname, céng otherwise) by a character read the surname's way,
// so names sort and search the way people say them.
var surnameReadings = map[rune]rune{
	'曾': '增', '单': '善', '仇': '求', '解': '谢', '查': '扎', '区': '欧', '朴': '瓢', '覃': '秦',
	'翟': '宅', '缪': '妙', '乐': '岳', '盖': '葛', '尉': '玉', '召': '邵', '员': '运', '种': '崇',
}

// spoken returns name with its surname replaced by a character of the surname's reading.
func spoken(name string) string {
	for i, r := range name {
		if alt, ok := surnameReadings[r]; ok && i == 0 {
			return string(alt) + name[len(string(r)):]
		}
		break
	}
	return name
}

// NameKey returns a sort key that orders Chinese names by pinyin (zh collation, surnames read
// as surnames) when compared byte by byte, so the database sorts and paginates by pinyin.
func NameKey(name string) string {
	c := collators.Get().(*collate.Collator)
	defer collators.Put(c)
	var buf collate.Buffer
	return hex.EncodeToString(c.KeyFromString(&buf, spoken(name)))
}

// Initials returns the lower-case pinyin initials of a name, 张三丰 → zsf; other letters and
// digits are kept, so a search for "zsf" finds 张三丰.
func Initials(name string) string {
	var b strings.Builder
	args := pinyin.NewArgs()
	args.Style = pinyin.FirstLetter
	for _, r := range spoken(name) {
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

package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"dangjian/internal/party"
)

// Surnames are common Chinese family names, the most frequent first; pick favours the front.
var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")

// Given-name characters by gender, and some that either may carry.
var (
	maleChars    = []rune("伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳彬志成立新东峰建文海亮晨洋振国德兴昌盛博")
	femaleChars  = []rune("芳娜敏静丽艳娟霞秀玲桂英华慧莹雪琳晶颖婷倩璐瑶蓉萍红燕兰梅琴云莉洁佳悦欣怡菲薇丹宁月岚")
	neutralChars = []rune("文明新春晓永玉金海庆嘉子思安清一家雨小诗晨")
)

// famous are names of well-known people (athletes above all, this being a sports bureau)
// that the generator must never produce.
var famous = strings.Fields(`刘翔 姚明 李娜 李宁 王菲 郎平 朱婷 马龙 丁宁 张继科 刘国梁 孔令辉 邓亚萍 王楠 张怡宁 王皓 马琳
林丹 李永波 张宁 高崚 孙杨 叶诗文 宁泽涛 傅园慧 易建联 王治郅 周琦 武磊 孙雯 杨扬 王濛 申雪 赵宏博 刘璇 伏明霞 熊倪
田亮 陈若琳 吴敏霞 郭晶晶 施廷懋 李小鹏 杨威 陈一冰 邹凯 苏炳添 全红婵 谷爱凌 许海峰 王军霞 刘诗雯 陈梦 孙颖莎 樊振东
王楚钦 杨利伟 李小双 张山 容国团 庄则栋 聂卫平 郎朗 刘德华 周杰伦 王力宏 张艺谋 陈凯歌 李连杰 成龙 章子怡 赵薇 范冰冰
李冰冰 周迅 黄晓明 王宝强 刘亦菲 杨幂 赵丽颖 王俊凯 易烊千玺`)

// regionCodes are the first six digits of the made-up ID numbers: an existing province with
// the unassigned city code 99, so no generated number can belong to a real person.
var regionCodes = []string{"369901", "369902", "369903", "369904", "369905", "369921", "369922"}

// phonePrefixes are the first three digits of mainland mobile numbers.
var phonePrefixes = []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
	"152", "153", "155", "156", "157", "158", "159", "166", "173", "177", "180", "181", "183", "185",
	"186", "187", "188", "189", "191", "198", "199"}

// minorities are the ethnic groups other than 汉族 that the generator uses, most common first.
var minorities = []string{"回族", "满族", "壮族", "土家族", "苗族", "蒙古族", "畲族", "侗族", "瑶族", "朝鲜族"}

// weighted is one choice with its relative weight.
type weighted struct {
	value  string
	weight int
}

// educationByAge gives a realistic mix of education levels for members born in each period:
// older members more often hold 中专 or 高中, younger ones a degree.
func educationByAge(age int) []weighted {
	switch {
	case age >= 60:
		return []weighted{{"大学本科", 22}, {"大学专科", 30}, {"中等专科", 20}, {"高中", 22}, {"初中及以下", 6}}
	case age >= 45:
		return []weighted{{"硕士研究生", 8}, {"大学本科", 55}, {"大学专科", 25}, {"中等专科", 7}, {"高中", 5}}
	default:
		return []weighted{{"博士研究生", 2}, {"硕士研究生", 24}, {"大学本科", 62}, {"大学专科", 12}}
	}
}

// people makes up persons deterministically from one seed, never giving two the same ID number.
type people struct {
	rng   *rand.Rand
	today party.Date
	ids   map[uint64]bool
	// famous holds the names never to produce.
	famous map[string]bool
	// names, when not nil, keeps names unique (the demo bureau wants no namesakes).
	names map[string]bool
}

func newPeople(seed uint64, today party.Date, uniqueNames bool) *people {
	p := &people{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), today: today, ids: map[uint64]bool{},
		famous: map[string]bool{}}
	for _, n := range famous {
		p.famous[n] = true
	}
	if uniqueNames {
		p.names = map[string]bool{}
	}
	return p
}

// pick returns a random element of list.
func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// pickWeighted returns a value of list with probability proportional to its weight.
func pickWeighted(r *rand.Rand, list []weighted) string {
	total := 0
	for _, w := range list {
		total += w.weight
	}
	n := r.IntN(total)
	for _, w := range list {
		if n < w.weight {
			return w.value
		}
		n -= w.weight
	}
	return list[len(list)-1].value
}

// name returns a made-up name for gender g.
func (p *people) name(g party.Gender) string {
	chars := maleChars
	if g == party.Female {
		chars = femaleChars
	}
	for {
		// Squaring a uniform number favours the frequent surnames at the front of the list.
		u := p.rng.Float64()
		var b strings.Builder
		b.WriteRune(surnames[int(u*u*float64(len(surnames)))])
		if p.rng.IntN(10) < 7 {
			if p.rng.IntN(4) == 0 {
				b.WriteRune(pick(p.rng, neutralChars))
			} else {
				b.WriteRune(pick(p.rng, chars))
			}
		}
		b.WriteRune(pick(p.rng, chars))
		n := b.String()
		if p.famous[n] || (p.names != nil && p.names[n]) {
			continue
		}
		if p.names != nil {
			p.names[n] = true
		}
		return n
	}
}

// addDays returns d moved by n days.
func addDays(d party.Date, n int) party.Date { return party.DateOf(d.Time().AddDate(0, 0, n)) }

// daysBetween returns the number of days from a to b.
func daysBetween(a, b party.Date) int { return int(b.Time().Sub(a.Time()) / (24 * time.Hour)) }

// between returns a random day in [from, to]; to when the range is empty.
func (p *people) between(from, to party.Date) party.Date {
	n := daysBetween(from, to)
	if n <= 0 {
		return to
	}
	return addDays(from, p.rng.IntN(n+1))
}

// idNumber returns a new valid ID number for birth date and gender g.
func (p *people) idNumber(birth party.Date, g party.Gender) party.IDNumber {
	for {
		seq := p.rng.IntN(500) * 2
		if g == party.Male {
			seq++
		}
		s := pick(p.rng, regionCodes) + strings.ReplaceAll(birth.String(), "-", "") + pad3(seq)
		key, _ := strconv.ParseUint(s, 10, 64)
		if p.ids[key] {
			continue
		}
		p.ids[key] = true
		return party.IDNumber(s + string(party.IDCheckDigit(s)))
	}
}

func pad3(n int) string {
	s := strconv.Itoa(n)
	return strings.Repeat("0", 3-len(s)) + s
}

// phone returns a made-up mobile number.
func (p *people) phone() party.Phone {
	return party.Phone(pick(p.rng, phonePrefixes) + pad3(p.rng.IntN(1000)) + pad3(p.rng.IntN(1000)) + strconv.Itoa(10+p.rng.IntN(90)))
}

// person describes the member to make up.
type person struct {
	minAge, maxAge int
	probation      bool
	// female is the chance in percent of a woman.
	female int
	// joinedBy, when set, is the latest join date (officers joined before taking office).
	joinedBy party.Date
}

// member returns a made-up member on the roster matching want; the caller sets branch, group
// and unit/post.
func (p *people) member(want person) *party.Member {
	g := party.Male
	if p.rng.IntN(100) < want.female {
		g = party.Female
	}
	oldest := addDays(p.today.AddYears(-(want.maxAge + 1)), 1)
	birth := p.between(oldest, p.today.AddYears(-want.minAge))
	m := &party.Member{
		Name:      p.name(g),
		Gender:    g,
		Ethnicity: "汉族",
		BirthDate: birth,
		IDNumber:  p.idNumber(birth, g),
		Phone:     p.phone(),
		Education: pickWeighted(p.rng, educationByAge(birth.AgeOn(p.today))),
	}
	if p.rng.IntN(100) < 7 {
		m.Ethnicity = pick(p.rng, minorities[:1+p.rng.IntN(len(minorities))])
	}
	adult := birth.AddYears(18)
	if want.probation {
		// Joined within the last year, not yet a full member.
		m.Category = party.Probation
		m.JoinedOn = p.between(maxDate(adult, addDays(p.today, -330)), addDays(p.today, -20))
		return m
	}
	m.Category = party.Full
	latest := addDays(p.today.AddYears(-1), -1)
	if !want.joinedBy.IsZero() && want.joinedBy.Before(latest) {
		latest = want.joinedBy
	}
	// Most join between 20 and 35; a few later in life.
	upper := birth.AddYears(22 + p.rng.IntN(14))
	if p.rng.IntN(10) == 0 {
		upper = birth.AddYears(50)
	}
	if upper.After(latest) {
		upper = latest
	}
	m.JoinedOn = p.between(maxDate(adult, birth.AddYears(20)), upper)
	if m.JoinedOn.Before(adult) {
		m.JoinedOn = adult
	}
	m.FullOn = m.JoinedOn.AddYears(1)
	return m
}

func maxDate(a, b party.Date) party.Date {
	if a.After(b) {
		return a
	}
	return b
}

func minDate(a, b party.Date) party.Date {
	if a.Before(b) {
		return a
	}
	return b
}

// cnNumber writes n (1 to 9999) in Chinese numerals: 1 一, 10 十, 12 十二, 105 一百零五.
func cnNumber(n int) string {
	digits := []rune("零一二三四五六七八九")
	units := []string{"千", "百", "十", ""}
	if n >= 10 && n < 20 {
		if n == 10 {
			return "十"
		}
		return "十" + string(digits[n-10])
	}
	var b strings.Builder
	zero := false
	for i, div := range []int{1000, 100, 10, 1} {
		d := n / div % 10
		if d == 0 {
			zero = b.Len() > 0
			continue
		}
		if zero {
			b.WriteRune('零')
			zero = false
		}
		b.WriteRune(digits[d])
		b.WriteString(units[i])
	}
	return b.String()
}

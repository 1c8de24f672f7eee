package office

import (
	"io"
	"slices"
	"strconv"
	"strings"

	"dangjian/internal/party"
)

// ParseMembers reads a roster workbook (first sheet, headers in row 1, in any order) and
// returns its rows, or every problem found, each with its row and column.
//
// rows holds only the rows without any problem. Cells are checked one by one (every bad cell
// is listed), then each readable row is checked as a whole with party.Member.Validate; today
// bounds dates that cannot lie in the future. Branch and group names are resolved later, by
// the store.
func ParseMembers(r io.Reader, today party.Date) ([]party.MemberRow, []party.RowError, error) {
	p, err := parseMembers(r, today)
	if err != nil {
		return nil, nil, err
	}
	rows := make([]party.MemberRow, 0, len(p.rows))
	for _, row := range p.rows {
		if !p.bad[row.Row] {
			rows = append(rows, row)
		}
	}
	return rows, p.errs, nil
}

// parsedMembers is what parseMembers found in a roster sheet.
type parsedMembers struct {
	rows []party.MemberRow // every row whose cells could all be read
	bad  map[int]bool      // rows among them that Validate or a repeated ID number objects to
	errs []party.RowError  // sorted
}

func parseMembers(r io.Reader, today party.Date) (*parsedMembers, error) {
	p := &parsedMembers{bad: map[int]bool{}}
	seen := map[party.IDNumber]int{}
	errs, err := readTable(r, party.MemberHeaders, func(rec *record) {
		row, ok := readMember(rec, today)
		if !ok {
			return
		}
		m := &row.Member
		if prev, dup := seen[m.IDNumber]; dup {
			rec.fail("身份证号", "与第%d行重复", prev)
		} else {
			seen[m.IDNumber] = rec.row
		}
		if err := m.Validate(today); err != nil {
			rec.fail(party.MemberFieldColumn[party.ErrorField(err)], "%s", party.ErrorMessage(err))
		}
		p.bad[rec.row] = rec.bad
		p.rows = append(p.rows, row)
	})
	if err != nil {
		return nil, err
	}
	p.errs = sortErrors(party.MemberHeaders, errs)
	return p, nil
}

// readMember reads the cells of one roster row; ok is false when any cell is unreadable.
func readMember(rec *record, today party.Date) (row party.MemberRow, ok bool) {
	m := party.Member{
		Name:      rec.required("姓名"),
		BirthDate: rec.date("出生日期", true),
		UnitPost:  rec.text("工作单位及职务"),
		JoinedOn:  rec.date("入党日期", true),
		FullOn:    rec.date("转正日期", false),
	}
	switch g := rec.required("性别"); g {
	case "":
	case "男", "男性":
		m.Gender = party.Male
	case "女", "女性":
		m.Gender = party.Female
	default:
		rec.fail("性别", "应为“男”或“女”，现为“%s”", g)
	}
	if e := rec.required("民族"); e != "" {
		switch {
		case slices.Contains(party.Ethnicities, e):
			m.Ethnicity = e
		case slices.Contains(party.Ethnicities, e+"族"):
			m.Ethnicity = e + "族"
		default:
			rec.fail("民族", "“%s”不在56个民族之列，请写全称，如“汉族”", e)
		}
	}
	if s := rec.required("身份证号"); s != "" {
		if strings.Contains(s, "*") {
			rec.fail("身份证号", "身份证号已脱敏（含*号），无法导入；请填写完整号码，或使用不脱敏的导出文件")
		} else if numberLostDigits(s) {
			rec.fail("身份证号", "身份证号被存成了数字，后几位已经丢失；请把该列设为“文本”格式后重新录入")
		} else if id, _, _, err := party.ParseIDNumber(s, today); err != nil {
			msg := party.ErrorMessage(err)
			if len(s) == 18 && strings.HasSuffix(s, "000") {
				msg += "；如该列是数字格式，后几位可能已经丢失，请把该列设为“文本”格式后重新录入"
			}
			rec.fail("身份证号", "%s", msg)
		} else {
			m.IDNumber = id
		}
	}
	if s := rec.text("手机号码"); s != "" {
		if strings.Contains(s, "*") {
			rec.fail("手机号码", "手机号码已脱敏（含*号），无法导入；请填写完整号码，或使用不脱敏的导出文件")
		} else if p, err := party.ParsePhone(plainNumber(s)); err != nil {
			rec.fail("手机号码", "%s", party.ErrorMessage(err))
		} else {
			m.Phone = p
		}
	}
	if e := rec.required("学历"); e != "" {
		if slices.Contains(party.Educations, e) {
			m.Education = e
		} else {
			rec.fail("学历", "“%s”无效，应为%s之一", e, strings.Join(party.Educations, "、"))
		}
	}
	switch c := party.Category(rec.required("人员类别")); c {
	case "":
	case party.Full, party.Probation:
		m.Category = c
	default:
		rec.fail("人员类别", "应为“正式党员”或“预备党员”，现为“%s”", c)
	}
	row = party.MemberRow{Row: rec.row, Member: m, Branch: rec.required("所在党支部"), Group: rec.text("党小组")}
	return row, !rec.bad
}

// numberLostDigits reports whether an ID number cell holds a number Excel stored in floating
// point (1.10101198506151E+17): the last digits are gone and cannot be recovered.
func numberLostDigits(s string) bool {
	if !strings.ContainsAny(s, "Ee.") {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// plainNumber writes a number stored as 1.3812345678E10 with all its digits; other text is
// returned unchanged.
func plainNumber(s string) string {
	if !strings.ContainsAny(s, "Ee") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1e15 || f != float64(int64(f)) {
		return s
	}
	return strconv.FormatInt(int64(f), 10)
}

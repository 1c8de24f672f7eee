package party

import (
	"strings"
	"time"
)

// Gender is 男 or 女.
type Gender string

// The genders.
const (
	Male   Gender = "男"
	Female Gender = "女"
)

// Category is the membership category (人员类别).
type Category string

// The categories.
const (
	Full      Category = "正式党员"
	Probation Category = "预备党员"
)

// Categories lists the categories in display order.
var Categories = []Category{Full, Probation}

// MemberStatus says whether a member is on the roster (在册) or has left it.
type MemberStatus string

// The member statuses.
const (
	StatusActive         MemberStatus = "在册"
	StatusTransferredOut MemberStatus = "已转出"
)

// Educations lists the education levels (学历) as party statistics record them.
var Educations = []string{"博士研究生", "硕士研究生", "大学本科", "大学专科", "中等专科", "高中", "初中及以下"}

// Ethnicities lists the 56 ethnic groups (民族).
var Ethnicities = strings.Fields(`汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族
哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族
仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族
保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族`)

// PositionTitles lists the party posts a member can hold (党内职务).
var PositionTitles = []string{"书记", "副书记", "组织委员", "宣传委员", "纪检委员", "青年委员", "统战委员", "党小组长", "委员"}

// AgeBands are the age filters offered on member lists, by inclusive age range.
var AgeBands = []AgeBand{
	{"35岁及以下", 0, 35},
	{"36至45岁", 36, 45},
	{"46至55岁", 46, 55},
	{"56至60岁", 56, 60},
	{"61岁及以上", 61, 200},
}

// AgeBand is a named inclusive range of ages.
type AgeBand struct {
	Label    string
	Min, Max int
}

// BirthRange returns the birth dates [from, to] of people whose age on day today lies in the band.
func (b AgeBand) BirthRange(today Date) (from, to Date) {
	to = today.AddYears(-b.Min)
	from = today.AddYears(-(b.Max + 1))
	from = DateOf(from.Time().AddDate(0, 0, 1))
	return from, to
}

// Member is a party member (党员).
type Member struct {
	ID        int64
	OrgID     int64 // own branch (所在党支部)
	GroupID   int64 // party group (党小组), 0 when none
	Name      string
	Gender    Gender
	Ethnicity string
	BirthDate Date
	IDNumber  IDNumber
	Phone     Phone
	Education string
	UnitPost  string // 工作单位及职务
	JoinedOn  Date   // 入党日期
	FullOn    Date   // 转正日期
	Category  Category
	Status    MemberStatus
	LeftOn    Date // date the member left the roster
	Note      string
	CreatedAt time.Time
	UpdatedAt time.Time

	// Read-only, filled by queries.
	OrgName   string
	GroupName string
}

// Limits on member fields.
const (
	MaxPersonNameLen = 50
	MaxUnitPostLen   = 200
)

// Validate normalizes and checks m; today bounds dates that cannot lie in the future.
func (m *Member) Validate(today Date) error {
	m.Name = strings.TrimSpace(m.Name)
	if err := checkText("name", "姓名", m.Name, MaxPersonNameLen, true); err != nil {
		return err
	}
	if m.Gender != Male && m.Gender != Female {
		return FieldErrorf(EINVALID, "gender", "性别应为“男”或“女”")
	}
	if !contains(Ethnicities, m.Ethnicity) {
		return FieldErrorf(EINVALID, "ethnicity", "民族“%s”不在56个民族之列，请写全称，如“汉族”", m.Ethnicity)
	}
	if m.BirthDate.IsZero() {
		return FieldErrorf(EINVALID, "birth_date", "出生日期不能为空")
	}
	id, birth, gender, err := ParseIDNumber(string(m.IDNumber), today)
	if err != nil {
		return &Error{Code: EINVALID, Field: "id_number", Message: ErrorMessage(err)}
	}
	m.IDNumber = id
	if birth != m.BirthDate {
		return FieldErrorf(EINVALID, "birth_date", "出生日期%s与身份证号中的%s不一致", m.BirthDate, birth)
	}
	if gender != m.Gender {
		return FieldErrorf(EINVALID, "gender", "性别“%s”与身份证号（第17位）所示“%s”不一致", m.Gender, gender)
	}
	if m.Phone != "" {
		p, err := ParsePhone(string(m.Phone))
		if err != nil {
			return &Error{Code: EINVALID, Field: "phone", Message: ErrorMessage(err)}
		}
		m.Phone = p
	}
	if !contains(Educations, m.Education) {
		return FieldErrorf(EINVALID, "education", "学历“%s”无效，应为%s之一", m.Education, strings.Join(Educations, "、"))
	}
	if err := checkText("unit_post", "工作单位及职务", m.UnitPost, MaxUnitPostLen, false); err != nil {
		return err
	}
	if m.JoinedOn.IsZero() {
		return FieldErrorf(EINVALID, "joined_on", "入党日期不能为空")
	}
	if m.JoinedOn.After(today) {
		return FieldErrorf(EINVALID, "joined_on", "入党日期不能晚于今天")
	}
	if m.JoinedOn.Before(m.BirthDate.AddYears(18)) {
		return FieldErrorf(EINVALID, "joined_on", "入党日期早于年满18岁之日")
	}
	switch m.Category {
	case Full:
		if m.FullOn.IsZero() {
			return FieldErrorf(EINVALID, "full_on", "正式党员须填写转正日期")
		}
		if m.FullOn.Before(m.JoinedOn) {
			return FieldErrorf(EINVALID, "full_on", "转正日期不能早于入党日期")
		}
		if m.FullOn.After(today) {
			return FieldErrorf(EINVALID, "full_on", "转正日期不能晚于今天")
		}
	case Probation:
		if !m.FullOn.IsZero() {
			return FieldErrorf(EINVALID, "full_on", "预备党员不应有转正日期")
		}
	default:
		return FieldErrorf(EINVALID, "category", "人员类别应为“正式党员”或“预备党员”")
	}
	if m.Status == "" {
		m.Status = StatusActive
	}
	if err := checkText("note", "备注", m.Note, MaxTextLen, false); err != nil {
		return err
	}
	return nil
}

// Age returns the member's age on day today.
func (m *Member) Age(today Date) int { return m.BirthDate.AgeOn(today) }

// Position is a party post held by a member in an organization, with dates.
type Position struct {
	ID       int64
	MemberID int64
	OrgID    int64
	Title    string
	StartOn  Date
	EndOn    Date // zero while still held
	// Read-only, filled by queries.
	MemberName string
	OrgName    string
}

// Validate checks p.
func (p *Position) Validate() error {
	if !contains(PositionTitles, p.Title) {
		return FieldErrorf(EINVALID, "title", "职务“%s”无效，应为%s之一", p.Title, strings.Join(PositionTitles, "、"))
	}
	if p.StartOn.IsZero() {
		return FieldErrorf(EINVALID, "start_on", "任职日期不能为空")
	}
	if !p.EndOn.IsZero() && p.EndOn.Before(p.StartOn) {
		return FieldErrorf(EINVALID, "end_on", "离任日期不能早于任职日期")
	}
	return nil
}

// TransferKind is the direction of an 组织关系转接.
type TransferKind string

// The transfer kinds.
const (
	TransferIn       TransferKind = "转入"
	TransferOut      TransferKind = "转出"
	TransferInternal TransferKind = "系统内转接"
)

// Transfer records a member's organizational relation moving in, out or within the tree.
type Transfer struct {
	ID       int64
	MemberID int64
	Kind     TransferKind
	On       Date
	// FromOrgID and ToOrgID are organizations of this tree, 0 when outside it.
	FromOrgID int64
	ToOrgID   int64
	// Counterpart names the organization outside the tree (转出至 / 转入自).
	Counterpart string
	Note        string
	// Read-only.
	FromOrgName string
	ToOrgName   string
}

// TempAttachment attaches a member to a temporary branch without leaving their own branch.
type TempAttachment struct {
	ID       int64
	MemberID int64
	OrgID    int64
	StartOn  Date
	EndOn    Date
	// Read-only.
	MemberName string
	OrgName    string
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
